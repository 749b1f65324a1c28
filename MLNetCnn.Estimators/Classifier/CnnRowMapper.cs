using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Augmentation;

namespace MLNetCnn.Estimators;

/// <summary>
/// Row-at-a-time scoring for <c>PredictionEngine</c>: each output row runs the network once on its input
/// row's image, when a score or predicted label is first read for that position.
/// </summary>
internal sealed class CnnRowMapper : IRowToRowMapper
{
    private readonly ImageColumnBinding _binding;
    private readonly CnnModel _model;
    private readonly TestTimeAugmentation _augmentation;
    private readonly ScoreColumns _columns;

    public CnnRowMapper(DataViewSchema inputSchema, ImageColumnBinding binding, CnnModel model, TestTimeAugmentation augmentation, ScoreColumns columns)
    {
        _binding = binding;
        _model = model;
        _augmentation = augmentation;
        _columns = columns;
        InputSchema = inputSchema;
        OutputSchema = columns.AppendTo(inputSchema);
    }

    public DataViewSchema InputSchema { get; }

    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var indices = dependingColumns.Select(c => c.Index).ToHashSet();
        if (indices.Any(i => i >= InputSchema.Count))
            indices.Add(_binding.Column.Index);
        return InputSchema.Where(c => indices.Contains(c.Index));
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new MappedRow(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class MappedRow : DataViewRow
    {
        private readonly CnnRowMapper _mapper;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly ScoringBuffer _buffer;
        private readonly Lazy<Action<Span<float>>> _readImage;
        private long _scoredPosition = -1;

        public MappedRow(CnnRowMapper mapper, DataViewRow input, HashSet<int> active)
        {
            _mapper = mapper;
            _input = input;
            _active = active;
            _buffer = new ScoringBuffer(mapper._model, mapper._augmentation, mapper._binding.Shape, capacity: 1, mapper._columns);
            _readImage = new(() => mapper._binding.CreateReader(input));
        }

        public override DataViewSchema Schema => _mapper.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputCount = _mapper.InputSchema.Count;
            if (column.Index < inputCount)
                return _input.GetGetter<TValue>(_mapper.InputSchema[column.Index]);
            Delegate getter = _buffer.Getter(_mapper._columns.Kinds[column.Index - inputCount], EnsureScored);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}, not {typeof(TValue).Name}.");
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        private void EnsureScored()
        {
            if (_scoredPosition == _input.Position && _input.Position >= 0)
                return;
            _readImage.Value(_buffer.ImageSlot(0));
            _buffer.Score(1);
            _scoredPosition = _input.Position;
        }
    }
}
