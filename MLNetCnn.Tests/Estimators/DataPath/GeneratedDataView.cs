using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetCnn.Tests.Estimators.DataPath;

/// <summary>
/// A data view of any number of tiny labelled images (1x4x4, whole values 0..255) made on the fly from the row number,
/// never stored: a key <c>Label</c> of two classes (the row's parity) and a <c>Features</c> vector whose first value
/// tells the classes apart. Counts the rows it produced and the passes that read the images, and calls
/// <see cref="OnRow"/> every <see cref="SampleEvery"/> rows so a test can look at memory while the rows stream.
/// </summary>
internal sealed class GeneratedDataView(long rowCount) : IDataView
{
    public long RowCount { get; } = rowCount;

    public const int Side = 4;

    private static readonly KeyDataViewType LabelType = new(typeof(uint), 2);

    public DataViewSchema Schema { get; } = CreateSchema();

    public long RowsProduced;

    public int FeaturePasses { get; private set; }

    public Action? OnRow { get; set; }

    public int SampleEvery { get; set; } = 50_000;

    public bool CanShuffle => false;

    public long? GetRowCount() => RowCount;

    public static float Pixel(long row, int index) =>
        index == 0 ? (row % 2 == 0 ? 40 : 200) : (float)((row * 31 + index * 7) % 256);

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.Select(c => c.Index).ToHashSet();
        if (needed.Contains(1))
            FeaturePasses++;
        return new Cursor(this, needed);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private static DataViewSchema CreateSchema()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Label", LabelType);
        builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 1, Side, Side));
        return builder.ToSchema();
    }

    private sealed class Cursor(GeneratedDataView view, HashSet<int> active) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override bool MoveNext()
        {
            if (_position + 1 >= view.RowCount)
                return false;
            _position++;
            Interlocked.Increment(ref view.RowsProduced);
            if (_position % view.SampleEvery == 0)
                view.OnRow?.Invoke();
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = column.Index == 0
                ? (ValueGetter<uint>)((ref uint value) => value = (uint)(_position % 2) + 1)
                : (ValueGetter<VBuffer<float>>)((ref VBuffer<float> value) =>
                {
                    var editor = VBufferEditor.Create(ref value, Side * Side);
                    for (int i = 0; i < Side * Side; i++)
                        editor.Values[i] = Pixel(_position, i);
                    value = editor.Commit();
                });
            return (ValueGetter<TValue>)getter;
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
    }
}
