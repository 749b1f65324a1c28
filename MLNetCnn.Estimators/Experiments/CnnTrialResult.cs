using Microsoft.ML.Data;

namespace MLNetCnn.Estimators;

/// <summary>One row of a <see cref="CnnExperimentResult"/>'s leaderboard: a trial's settings, metrics, size and timings.</summary>
public sealed class CnnTrialResult
{
    internal CnnTrialResult(int trialNumber, CnnCandidate candidate, CnnExperimentMetric metric)
    {
        TrialNumber = trialNumber;
        Candidate = candidate;
        OptimizationMetric = metric;
    }

    /// <summary>The trial's place in the order the experiment ran them, from 1.</summary>
    public int TrialNumber { get; }

    /// <summary>The candidate with every setting filled in (from the trainer options where the candidate left it unset).</summary>
    public CnnCandidate Candidate { get; }

    /// <summary>How the trial ended.</summary>
    public CnnTrialStatus Status { get; internal init; }

    /// <summary>Why a <see cref="CnnTrialStatus.Failed"/> trial failed: the exception's type and message; null otherwise.</summary>
    public string? Error { get; internal init; }

    /// <summary>The rung epoch at which successive halving stopped a <see cref="CnnTrialStatus.Pruned"/> trial; null otherwise.</summary>
    public int? PrunedAtEpoch { get; internal init; }

    /// <summary><c>MulticlassClassification.Evaluate</c>'s metrics on each fold's held-out data (one entry for a holdout); empty unless
    /// completed.</summary>
    public IReadOnlyList<MulticlassClassificationMetrics> FoldMetrics { get; internal init; } = [];

    /// <summary>The metric the experiment ranks by.</summary>
    public CnnExperimentMetric OptimizationMetric { get; }

    /// <summary>The mean over folds of <see cref="OptimizationMetric"/>; null unless completed.</summary>
    public double? Score => Statistics(m => OptimizationMetric.Of(m))?.Mean;

    /// <summary>Micro accuracy over folds; null unless completed.</summary>
    public MetricStatistics? MicroAccuracy => Statistics(m => m.MicroAccuracy);

    /// <summary>Macro accuracy over folds; null unless completed.</summary>
    public MetricStatistics? MacroAccuracy => Statistics(m => m.MacroAccuracy);

    /// <summary>
    /// The k of <see cref="TopKAccuracy"/>: <see cref="Estimators.TopKAccuracy.DefaultK"/> for more classes than that, else 0.
    /// </summary>
    public int TopK => FoldMetrics.Count == 0 ? 0 : FoldMetrics[0].TopKPredictionCount;

    /// <summary>Top-<see cref="TopK"/> accuracy over folds; null unless completed with more than <see
    /// cref="Estimators.TopKAccuracy.DefaultK"/> classes.</summary>
    public MetricStatistics? TopKAccuracy => TopK > 0 ? Statistics(m => m.TopKAccuracy) : null;

    /// <summary>Log-loss over folds; null unless completed.</summary>
    public MetricStatistics? LogLoss => Statistics(m => m.LogLoss);

    /// <summary>Parameter values of the network at inference (<see cref="ModelSummary.Parameters"/>); null unless completed.</summary>
    public long? Parameters { get; internal init; }

    /// <summary>Multiply-adds of the network for one image (<see cref="ModelSummary.MultiplyAdds"/>); null unless completed.</summary>
    public long? MultiplyAdds { get; internal init; }

    /// <summary>Time spent fitting the trial's pipeline (reading the data and training), summed over folds; until the stop or failure
    /// otherwise.</summary>
    public TimeSpan TrainingTime { get; internal init; }

    /// <summary>
    /// Milliseconds per image of the fitted network's forward pass (with softmax) in batches of the trial's batch size on its
    /// device, timed on blank images after a warm-up batch, the fastest of three passes; null unless completed.
    /// </summary>
    public double? InferenceMillisecondsPerImage { get; internal init; }

    /// <summary>
    /// The fitted model (with cross-validation, the best fold's, as ML.NET AutoML returns): kept for the best trial, and for
    /// every completed trial with <see cref="CnnExperiment.Options.KeepAllModels"/>; null otherwise.
    /// </summary>
    public TransformerChain<CnnClassificationTransformer>? Model { get; internal set; }

    /// <summary>The trial's number, candidate, status and score or error.</summary>
    public override string ToString() => Status switch
    {
        CnnTrialStatus.Completed => $"Trial {TrialNumber}: {Candidate}: {OptimizationMetric} {Score:G4}",
        CnnTrialStatus.Failed => $"Trial {TrialNumber}: {Candidate}: failed: {Error}",
        CnnTrialStatus.Pruned => $"Trial {TrialNumber}: {Candidate}: stopped by successive halving after epoch {PrunedAtEpoch}",
        _ => $"Trial {TrialNumber}: {Candidate}: stopped at the time budget after {TrainingTime.TotalSeconds:F1} s",
    };

    private MetricStatistics? Statistics(Func<MulticlassClassificationMetrics, double> metric) =>
        FoldMetrics.Count == 0 ? null : MetricStatistics.Of([.. FoldMetrics.Select(metric)]);
}
