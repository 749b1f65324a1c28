namespace MLNetCnn.Estimators;

/// <summary>The metric a <see cref="CnnExperiment"/> ranks its trials by, from <c>MulticlassClassification.Evaluate</c>.</summary>
public enum CnnExperimentMetric
{
    /// <summary>The share of images classified correctly (higher is better).</summary>
    MicroAccuracy,

    /// <summary>The mean over classes of each class's accuracy, so that small classes count as much as large ones (higher is
    /// better).</summary>
    MacroAccuracy,

    /// <summary>The mean negative log-likelihood of the true class (lower is better).</summary>
    LogLoss,
}
