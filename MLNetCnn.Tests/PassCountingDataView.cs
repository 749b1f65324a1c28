using Microsoft.ML;

namespace MLNetCnn.Tests;

/// <summary>
/// A view over <paramref name="inner"/> counting its passes: the cursors reading the column <paramref name="counted"/>, or every cursor.
/// </summary>
internal sealed class PassCountingDataView(IDataView inner, string? counted = null) : IDataView
{
    /// <summary>The cursors opened so far (with the counted column among those they read, when one is named).</summary>
    public int Passes { get; private set; }

    public DataViewSchema Schema => inner.Schema;

    public bool CanShuffle => inner.CanShuffle;

    public long? GetRowCount() => inner.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var columns = columnsNeeded.ToList();
        if (counted is null || columns.Any(c => c.Name == counted))
            Passes++;
        return inner.GetRowCursor(columns, rand);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];
}
