namespace MLNetCnn.Training;

/// <summary>An epoch metric that early stopping watches.</summary>
public enum TrainingMetric
{
    /// <summary>Mean cross-entropy on the validation set (lower is better).</summary>
    ValidationLoss,

    /// <summary>Accuracy on the validation set (higher is better).</summary>
    ValidationAccuracy,

    /// <summary>Mean training loss of the epoch (lower is better).</summary>
    TrainLoss,

    /// <summary>Training accuracy of the epoch (higher is better).</summary>
    TrainAccuracy,
}

/// <summary>Reads a <see cref="TrainingMetric"/> from an epoch report.</summary>
public static class TrainingMetricExtensions
{
    /// <summary>Whether larger values of the metric are better.</summary>
    public static bool HigherIsBetter(this TrainingMetric metric) =>
        metric is TrainingMetric.ValidationAccuracy or TrainingMetric.TrainAccuracy;

    /// <summary>Whether the metric needs validation data.</summary>
    public static bool NeedsValidation(this TrainingMetric metric) =>
        metric is TrainingMetric.ValidationLoss or TrainingMetric.ValidationAccuracy;

    /// <summary>The metric's value in a report; null when the report has no validation metrics.</summary>
    public static double? ValueIn(this TrainingMetric metric, EpochReport report) => metric switch
    {
        TrainingMetric.ValidationLoss => report.ValidationLoss,
        TrainingMetric.ValidationAccuracy => report.ValidationAccuracy,
        TrainingMetric.TrainLoss => report.TrainLoss,
        TrainingMetric.TrainAccuracy => report.TrainAccuracy,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };
}
