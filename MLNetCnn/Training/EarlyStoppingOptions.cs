namespace MLNetCnn.Training;

/// <summary>
/// Stops training once a metric has not improved for <see cref="Patience"/> epochs, and restores the weights of
/// the best epoch at the end of training (as Keras' <c>EarlyStopping(restore_best_weights=True)</c>).
/// </summary>
public sealed record EarlyStoppingOptions
{
    /// <summary>The metric watched; validation metrics need validation data.</summary>
    public TrainingMetric Metric { get; init; } = TrainingMetric.ValidationLoss;

    /// <summary>Epochs without improvement after which training stops.</summary>
    public int Patience { get; init; } = 5;

    /// <summary>The smallest change of the metric that counts as an improvement.</summary>
    public double MinDelta { get; init; }
}
