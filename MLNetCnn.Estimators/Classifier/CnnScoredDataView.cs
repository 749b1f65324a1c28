using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Augmentation;

namespace MLNetCnn.Estimators;

/// <summary>
/// The output of <see cref="CnnClassificationTransformer.Transform"/>: the input's columns plus score and
/// predicted label, computed lazily and in batches. A second cursor over the input reads images ahead of
/// the row being served, so the network runs on whole batches while rows stream one at a time.
/// A key label read beside the scores must hold a class: ML.NET's evaluators skip rows with a missing key, so
/// a class the model never saw (which MapValueToKey maps to the missing key) would vanish from the metrics.
/// </summary>
internal sealed class CnnScoredDataView : IDataView
{
    private readonly IDataView _input;
    private readonly ImageColumnBinding _binding;
    private readonly CnnModel _model;
    private readonly TestTimeAugmentation _augmentation;
    private readonly int _batchSize;
    private readonly ScoreColumns _columns;
    private readonly DataViewSchema.Column? _label;

    public CnnScoredDataView(IDataView input, ImageColumnBinding binding, CnnModel model, TestTimeAugmentation augmentation,
        ScoreColumns columns, int batchSize, DataViewSchema.Column? label)
    {
        _label = label;
        _input = input;
        _binding = binding;
        _model = model;
        _augmentation = augmentation;
        _batchSize = batchSize;
        _columns = columns;
        Schema = columns.AppendTo(input.Schema);
    }

    public DataViewSchema Schema { get; }

    // Both input cursors must see the rows in the same order, so this view never shuffles.
    public bool CanShuffle => false;

    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        var inputColumns = _input.Schema.Where(c => needed.Contains(c.Index));
        bool scoring = needed.Any(i => i >= ScoreIndex);
        return new Cursor(this, _input.GetRowCursor(inputColumns), scoring ? _input.GetRowCursor([_binding.Column]) : null, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private int ScoreIndex => _input.Schema.Count;

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly CnnScoredDataView _view;
        private readonly DataViewRowCursor _rows;
        private readonly DataViewRowCursor? _lookahead;
        private readonly Action<Span<float>>? _readImage;
        private readonly ScoringBuffer? _buffer;
        private readonly HashSet<int> _active;
        private long _position = -1;
        private long _batchStart;
        private int _batchCount;

        public Cursor(CnnScoredDataView view, DataViewRowCursor rows, DataViewRowCursor? lookahead, HashSet<int> active)
        {
            _view = view;
            _rows = rows;
            _lookahead = lookahead;
            _active = active;
            if (lookahead is not null)
            {
                _readImage = view._binding.CreateReader(lookahead);
                _buffer = new ScoringBuffer(view._model, view._augmentation, view._binding.Shape, view._batchSize, view._columns);
            }
        }

        public override DataViewSchema Schema => _view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (!_rows.MoveNext())
                return false;
            _position++;
            if (_buffer is not null)
            {
                if (_position >= _batchStart + _batchCount)
                    ReadBatch();
                _buffer.Select((int)(_position - _batchStart));
            }
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index == _view._label?.Index && _buffer is not null && typeof(TValue) == typeof(uint))
                return (ValueGetter<TValue>)(Delegate)LabelGetter(_view._label.Value);
            if (column.Index < _view.ScoreIndex)
                return _rows.GetGetter<TValue>(_view._input.Schema[column.Index]);
            if (_buffer is null || !IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested from this cursor.");
            Delegate getter = _buffer.Getter(_view._columns.Kinds[column.Index - _view.ScoreIndex], EnsurePositioned);
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' has type {column.Type}, not {typeof(TValue).Name}.");
        }

        private ValueGetter<uint> LabelGetter(DataViewSchema.Column label)
        {
            var read = _rows.GetGetter<uint>(label);
            return (ref uint key) =>
            {
                read(ref key);
                if (key == 0)
                {
                    throw new InvalidOperationException($"Row {_position}: label column '{label.Name}' holds no class (a missing key): " +
                        "its value is not one of the classes MapValueToKey learned from the training data, or the row has no label. " +
                        "ML.NET's Evaluate would skip the row and report the other rows' metrics as if it were not there. " +
                        $"Remove rows without a known label first (mlContext.Data.FilterRowsByMissingValues(data, \"{label.Name}\")) " +
                        "if that is what you want.");
                }
            };
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => _rows.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _rows.Dispose();
                _lookahead?.Dispose();
            }
            base.Dispose(disposing);
        }

        private void EnsurePositioned()
        {
            if (_position < 0)
                throw new InvalidOperationException("The cursor is not on a row: call MoveNext first.");
        }

        private void ReadBatch()
        {
            int count = 0;
            while (count < _buffer!.Capacity && _lookahead!.MoveNext())
                _readImage!(_buffer.ImageSlot(count++));
            if (count == 0)
                throw new InvalidOperationException("The input data yielded fewer rows on a second pass; a CNN scores data that can be read more than once in the same order.");
            _buffer.Score(count);
            _batchStart = _position;
            _batchCount = count;
        }
    }
}
