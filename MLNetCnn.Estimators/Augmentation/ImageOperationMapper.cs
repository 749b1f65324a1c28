using MLNetCnn.Runtime;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// Applies an <see cref="ImageOperation"/> to one column, row by row, appending the result as a new column (which
/// hides an input column of the same name). Each row it makes is one pass over the data: its random draws come
/// from the stage's seed, the pass number and the row's position, so they are fresh every pass and repeatable.
/// </summary>
internal sealed class ImageOperationMapper : IRowToRowMapper
{
    private readonly ImageColumnBinding _binding;
    private readonly ImageOperation _operation;
    private readonly ImageShape _outputShape;
    private readonly bool _writesImages;
    private readonly int _seed;
    private readonly Func<long> _nextPass;

    public ImageOperationMapper(DataViewSchema inputSchema, ImageColumnBinding binding, ImageOperation operation, string outputColumnName,
        int seed, Func<long> nextPass)
    {
        _binding = binding;
        _operation = operation;
        OutputColumnName = outputColumnName;
        _seed = seed;
        _nextPass = nextPass;
        _outputShape = OutputShapeOf(operation, binding);
        _writesImages = binding.IsImage && operation.ProducesPixels;
        InputSchema = inputSchema;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        DataViewType type = _writesImages
            ? new ImageDataViewType(_outputShape.Height, _outputShape.Width)
            : new VectorDataViewType(NumberDataViewType.Single, _outputShape.Channels, _outputShape.Height, _outputShape.Width);
        builder.AddColumn(outputColumnName, type, Annotations(operation.IsRandom || IsRandomPerPass(binding.Column)));
        OutputSchema = builder.ToSchema();
    }

    public DataViewSchema InputSchema { get; }

    /// <summary>The column the operation reads.</summary>
    public string InputColumnName => _binding.Column.Name;

    /// <summary>The column the operation writes.</summary>
    public string OutputColumnName { get; }

    /// <summary>The operation with the seed of its draws, for a reader that applies it to rows it reads itself.</summary>
    public Training.SeededImageOperation SeededOperation => new(_operation, _seed);

    public DataViewSchema OutputSchema { get; }

    private int OutputIndex => InputSchema.Count;

    /// <summary>The shape of the result, or an error naming the column when its images do not fit the operation.</summary>
    public static ImageShape OutputShapeOf(ImageOperation operation, ImageColumnBinding binding)
    {
        try
        {
            return operation.OutputShape(binding.Shape);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Column '{binding.Column.Name}': {e.Message}", e);
        }
    }

    /// <summary>Whether a column is marked as drawn afresh on every pass.</summary>
    public static bool IsRandomPerPass(DataViewSchema.Column column) =>
        column.Annotations.Schema.GetColumnOrNull(AnnotationNames.RandomPerPass) is not null;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var indices = dependingColumns.Select(c => c.Index).ToHashSet();
        if (indices.Remove(OutputIndex))
            indices.Add(_binding.Column.Index);
        return InputSchema.Where(c => indices.Contains(c.Index));
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        bool outputActive = activeColumns.Any(c => c.Index == OutputIndex);
        return new Row(this, input, outputActive, outputActive ? _nextPass() : 0);
    }

    private static DataViewSchema.Annotations Annotations(bool randomPerPass)
    {
        var builder = new DataViewSchema.Annotations.Builder();
        if (randomPerPass)
            builder.Add(AnnotationNames.RandomPerPass, BooleanDataViewType.Instance, (ref bool value) => value = true);
        return builder.ToAnnotations();
    }

    private sealed class Row : DataViewRow
    {
        private readonly ImageOperationMapper _mapper;
        private readonly DataViewRow _input;
        private readonly bool _outputActive;
        private readonly long _pass;
        private readonly float[] _source;
        private readonly float[] _result;
        private readonly byte[] _imageBytes;
        private Action<Span<float>>? _readImage;
        private long _computedPosition = -1;

        public Row(ImageOperationMapper mapper, DataViewRow input, bool outputActive, long pass)
        {
            _mapper = mapper;
            _input = input;
            _outputActive = outputActive;
            _pass = pass;
            _source = outputActive ? new float[mapper._binding.Shape.Size] : [];
            _result = outputActive ? new float[mapper._outputShape.Size] : [];
            _imageBytes = outputActive && mapper._writesImages ? new byte[4 * mapper._outputShape.Height * mapper._outputShape.Width] : [];
        }

        public override DataViewSchema Schema => _mapper.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) =>
            column.Index == _mapper.OutputIndex ? _outputActive : _input.IsColumnActive(_mapper.InputSchema[column.Index]);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index != _mapper.OutputIndex)
                return _input.GetGetter<TValue>(_mapper.InputSchema[column.Index]);
            if (!_outputActive)
                throw new InvalidOperationException($"Column '{column.Name}' was not requested from this row.");
            Delegate getter = _mapper._writesImages ? (ValueGetter<MLImage>)GetImage : (ValueGetter<VBuffer<float>>)GetVector;
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}, not {typeof(TValue).Name}.");
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        private void GetVector(ref VBuffer<float> destination)
        {
            Compute();
            var editor = VBufferEditor.Create(ref destination, _result.Length);
            _result.CopyTo(editor.Values);
            destination = editor.Commit();
        }

        // As ML.NET's image transforms do, the getter owns the images it hands out and disposes the previous one.
        private void GetImage(ref MLImage destination)
        {
            Compute();
            destination?.Dispose();
            destination = ImagePixels.ToImage(_result, _mapper._outputShape, _imageBytes);
        }

        private void Compute()
        {
            long position = _input.Position;
            if (position < 0)
                throw new InvalidOperationException("The row is not on a data row: move the cursor first.");
            if (position == _computedPosition)
                return;
            _readImage ??= _mapper._binding.CreateReader(_input);
            _readImage(_source);
            var random = AugmentationRandom.ForRow(_mapper._seed, _pass, position);
            _mapper._operation.Apply(_source, _mapper._binding.Shape, _result, ref random);
            _computedPosition = position;
        }
    }
}
