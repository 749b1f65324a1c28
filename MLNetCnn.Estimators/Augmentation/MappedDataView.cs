using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// The data view of any <see cref="IRowToRowMapper"/> over an input view: each cursor reads the input columns
/// the requested ones depend on and serves the mapper's row for the input cursor's current row.
/// </summary>
internal sealed class MappedDataView(IDataView input, IRowToRowMapper mapper) : IDataView
{
    public DataViewSchema Schema => mapper.OutputSchema;

    /// <summary>The view the mapper reads.</summary>
    public IDataView Input => input;

    /// <summary>The mapper.</summary>
    public IRowToRowMapper Mapper => mapper;

    public bool CanShuffle => input.CanShuffle;

    public long? GetRowCount() => input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        var cursor = input.GetRowCursor(mapper.GetDependencies(needed), rand);
        return new Cursor(cursor, mapper.GetRow(cursor, needed));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(DataViewRowCursor input, DataViewRow row) : DataViewRowCursor
    {
        public override DataViewSchema Schema => row.Schema;

        public override long Position => input.Position;

        public override long Batch => input.Batch;

        public override bool MoveNext() => input.MoveNext();

        public override bool IsColumnActive(DataViewSchema.Column column) => row.IsColumnActive(column);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => row.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                if (!ReferenceEquals(row, input))
                    row.Dispose();
                input.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
