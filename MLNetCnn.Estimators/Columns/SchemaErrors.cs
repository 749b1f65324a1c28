namespace MLNetCnn.Estimators;

/// <summary>Schema errors of the pipeline stages, naming the stage and the columns the data has.</summary>
internal static class SchemaErrors
{
    /// <summary>
    /// "<paramref name="stage"/>: <paramref name="role"/> column 'x' was not found; the data has columns a, b, c
    /// (<paramref name="hint"/>)."
    /// </summary>
    public static ArgumentOutOfRangeException MissingColumn(string stage, string role, string column, IEnumerable<string> present,
        string? hint = null)
    {
        string columns = string.Join(", ", present.Distinct());
        string message = $"{stage}: {role} column '{column}' was not found; "
            + $"the data has columns {(columns.Length == 0 ? "(none)" : columns)}"
            + (hint is null ? "." : $" ({hint}).");
        return new ArgumentOutOfRangeException("inputSchema", column, message);
    }
}
