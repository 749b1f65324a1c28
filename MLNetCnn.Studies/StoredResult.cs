using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetCnn.Estimators;

namespace MLNetCnn.Studies;

/// <summary>A finished trial's leaderboard values as the store keeps them (JSON in the trial's row).</summary>
internal sealed record StoredResult(IReadOnlyList<StoredFold> Folds, long? Parameters, long? MultiplyAdds, double TrainingSeconds,
    double? InferenceMillisecondsPerImage, int? PrunedAtEpoch)
{
    /// <summary>Log-loss can be infinite: JSON spells it as a string.</summary>
    public static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static StoredResult From(CnnTrialResult result) => new(
        [.. result.FoldMetrics.Select(m => new StoredFold(m.MicroAccuracy, m.MacroAccuracy, m.LogLoss, m.LogLossReduction,
            [.. m.TopKAccuracyForAllK ?? []], [.. m.PerClassLogLoss]))],
        result.Parameters, result.MultiplyAdds, result.TrainingTime.TotalSeconds, result.InferenceMillisecondsPerImage,
        result.PrunedAtEpoch);

    public CnnTrialResult ToResult(int number, CnnCandidate candidate, CnnExperimentMetric metric, CnnStudyTrialState state, string? error) =>
        new(number, candidate, metric)
        {
            Status = state switch
            {
                CnnStudyTrialState.Completed => CnnTrialStatus.Completed,
                CnnStudyTrialState.Pruned => CnnTrialStatus.Pruned,
                _ => CnnTrialStatus.Failed,
            },
            PrunedAtEpoch = PrunedAtEpoch,
            Error = error,
            FoldMetrics = [.. Folds.Select(f => ExperimentMetrics.Restore(f.MicroAccuracy, f.MacroAccuracy, f.LogLoss, f.LogLossReduction,
                [.. f.TopKAccuracies], [.. f.PerClassLogLoss]))],
            Parameters = Parameters,
            MultiplyAdds = MultiplyAdds,
            TrainingTime = TimeSpan.FromSeconds(TrainingSeconds),
            InferenceMillisecondsPerImage = InferenceMillisecondsPerImage,
        };
}

/// <summary>One fold's <c>MulticlassClassificationMetrics</c> values.</summary>
internal sealed record StoredFold(double MicroAccuracy, double MacroAccuracy, double LogLoss, double LogLossReduction,
    IReadOnlyList<double> TopKAccuracies, IReadOnlyList<double> PerClassLogLoss);
