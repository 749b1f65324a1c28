namespace MLNetCnn.Benchmarks.Reports;

/// <summary>Medians and the ratios the targets are stated in.</summary>
internal static class Statistics
{
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>The relative spread of the runs, (max - min) / median, to show how steady the machine was.</summary>
    public static double Spread(IReadOnlyList<double> values) =>
        values.Count == 0 ? double.NaN : (values.Max() - values.Min()) / Median(values);
}
