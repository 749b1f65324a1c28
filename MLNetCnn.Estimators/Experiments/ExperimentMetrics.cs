using Microsoft.ML.Data;

namespace MLNetCnn.Estimators;

/// <summary>Reads a <see cref="CnnExperimentMetric"/> from ML.NET's metrics and says which way is better.</summary>
internal static class ExperimentMetrics
{
    public static double Of(this CnnExperimentMetric metric, MulticlassClassificationMetrics metrics) => metric switch
    {
        CnnExperimentMetric.MicroAccuracy => metrics.MicroAccuracy,
        CnnExperimentMetric.MacroAccuracy => metrics.MacroAccuracy,
        CnnExperimentMetric.LogLoss => metrics.LogLoss,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    public static bool IsMaximized(this CnnExperimentMetric metric) => metric != CnnExperimentMetric.LogLoss;

    /// <summary>Whether <paramref name="score"/> beats <paramref name="other"/>; ties keep the earlier one.</summary>
    public static bool IsBetter(this CnnExperimentMetric metric, double score, double other) =>
        metric.IsMaximized() ? score > other : score < other;

    /// <summary>
    /// Metrics as <c>Evaluate</c> gave them, rebuilt from their stored values (a trial store keeps these, not the confusion
    /// matrix).
    /// </summary>
    public static MulticlassClassificationMetrics Restore(double microAccuracy, double macroAccuracy, double logLoss, double logLossReduction,
        double[] topKAccuracies, double[] perClassLogLoss) =>
        new(microAccuracy, macroAccuracy, logLoss, logLossReduction, topKAccuracies.Length, topKAccuracies, perClassLogLoss);
}
