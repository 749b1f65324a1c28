using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetCnn.Estimators;

/// <summary>A row-to-row mapper that changes nothing: its rows are the input rows.</summary>
internal sealed class PassThroughRowMapper(DataViewSchema schema) : IRowToRowMapper
{
    public DataViewSchema InputSchema => schema;

    public DataViewSchema OutputSchema => schema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) => dependingColumns;

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) => input;
}
