using Microsoft.ML.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// What a <see cref="CnnExperiment"/> found: the leaderboard and the best model, fitted and ready to save. It owns the models
/// it holds: <see cref="Dispose"/> frees their native memory, the best one's included.
/// </summary>
public sealed class CnnExperimentResult : IDisposable
{
    internal CnnExperimentResult(CnnExperimentMetric metric, IReadOnlyList<CnnTrialResult> trials, bool budgetExhausted, TimeSpan elapsed)
    {
        OptimizationMetric = metric;
        var completed = trials.Where(t => t.Status == CnnTrialStatus.Completed);
        Leaderboard = [.. (metric.IsMaximized() ? completed.OrderByDescending(t => t.Score) : completed.OrderBy(t => t.Score))
            .Concat(trials.Where(t => t.Status != CnnTrialStatus.Completed))];
        BudgetExhausted = budgetExhausted;
        Elapsed = elapsed;
    }

    /// <summary>The metric the trials are ranked by.</summary>
    public CnnExperimentMetric OptimizationMetric { get; }

    /// <summary>
    /// Every trial that started: the completed ones best first by <see cref="OptimizationMetric"/> (ties in trial order), then
    /// those stopped at the budget or failed, in trial order.
    /// </summary>
    public IReadOnlyList<CnnTrialResult> Leaderboard { get; }

    /// <summary>The best completed trial, or null when none completed.</summary>
    public CnnTrialResult? BestTrial => Leaderboard.FirstOrDefault(t => t.Status == CnnTrialStatus.Completed);

    /// <summary>The best trial's fitted model (trained on the training part of the data), or null when no trial completed.</summary>
    public TransformerChain<CnnClassificationTransformer>? BestModel => BestTrial?.Model;

    /// <summary>Whether the time budget ended the experiment before every candidate had run.</summary>
    public bool BudgetExhausted { get; }

    /// <summary>The experiment's wall-clock time.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Frees every model the leaderboard holds.</summary>
    public void Dispose()
    {
        foreach (var trial in Leaderboard)
        {
            trial.Model?.Dispose();
            trial.Model = null;
        }
    }
}
