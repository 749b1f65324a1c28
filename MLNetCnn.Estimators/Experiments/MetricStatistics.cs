namespace MLNetCnn.Estimators;

/// <summary>A metric over the folds of a trial: its mean and sample standard deviation (0 for a single holdout).</summary>
/// <param name="Mean">The mean over folds.</param>
/// <param name="StandardDeviation">The sample standard deviation over folds (divided by n - 1); 0 with one fold.</param>
public readonly record struct MetricStatistics(double Mean, double StandardDeviation)
{
    /// <summary>The mean and sample standard deviation of <paramref name="values"/>.</summary>
    internal static MetricStatistics Of(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double variance = values.Count > 1 ? values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1) : 0;
        return new MetricStatistics(mean, Math.Sqrt(variance));
    }
}
