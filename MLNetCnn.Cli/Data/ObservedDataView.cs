using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetCnn.Cli.Data;

/// <summary>Watches one pass over an <see cref="ObservedDataView"/>: told of each row the reader reaches, and of the pass's end.</summary>
internal interface IPassObserver
{
    /// <summary>The cursor is on a new row; the observed columns can be read.</summary>
    void Row();

    /// <summary>The pass reached the last row.</summary>
    void End();
}

/// <summary>
/// A view over <paramref name="source"/> whose passes an observer watches as another reader (an evaluator) makes them, so both get
/// what they need from one pass: every cursor also reads <paramref name="observedColumns"/>, and <paramref name="startPass"/> makes
/// the observer of each cursor.
/// </summary>
internal sealed class ObservedDataView(
    IDataView source, IReadOnlyList<DataViewSchema.Column> observedColumns, Func<DataViewRowCursor, IPassObserver> startPass) : IDataView
{
    public DataViewSchema Schema => source.Schema;

    public bool CanShuffle => source.CanShuffle;

    public long? GetRowCount() => source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        var cursor = source.GetRowCursor([.. needed, .. observedColumns.Where(c => !needed.Any(n => n.Index == c.Index))], rand);
        return new Cursor(cursor, needed, startPass(cursor));
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    /// <summary>The source's cursor, showing the reader only the columns it asked for.</summary>
    private sealed class Cursor(DataViewRowCursor source, IReadOnlyList<DataViewSchema.Column> needed, IPassObserver observer)
        : DataViewRowCursor
    {
        private bool ended;

        public override DataViewSchema Schema => source.Schema;

        public override long Position => source.Position;

        public override long Batch => source.Batch;

        public override bool MoveNext()
        {
            if (source.MoveNext())
            {
                observer.Row();
                return true;
            }
            if (!ended)
            {
                ended = true;
                observer.End();
            }
            return false;
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => needed.Any(c => c.Index == column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => source.GetGetter<TValue>(column);

        public override ValueGetter<DataViewRowId> GetIdGetter() => source.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                source.Dispose();
            base.Dispose(disposing);
        }
    }
}
