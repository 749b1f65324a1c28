namespace MLNetCnn.Training;

/// <summary>Follows the early-stopping metric epoch by epoch: the best value, its epoch, and the epochs since.</summary>
internal sealed class EarlyStoppingMonitor(EarlyStoppingOptions options)
{
    public EarlyStoppingOptions Options { get; } = options;

    public int? BestEpoch { get; private set; }

    public double BestValue { get; private set; } = double.NaN;

    public int EpochsWithoutImprovement { get; private set; }

    public bool ShouldStop => EpochsWithoutImprovement >= Options.Patience;

    /// <summary>Takes an epoch's report into account; true when it is the best so far.</summary>
    public bool Observe(EpochReport report)
    {
        double value = Options.Metric.ValueIn(report)
            ?? throw new InvalidOperationException($"Early stopping watches {Options.Metric}, which epoch {report.Epoch} did not report; it needs validation data.");
        bool improved = BestEpoch is null || (Options.Metric.HigherIsBetter()
            ? value > BestValue + Options.MinDelta
            : value < BestValue - Options.MinDelta);
        if (improved)
        {
            BestEpoch = report.Epoch;
            BestValue = value;
            EpochsWithoutImprovement = 0;
        }
        else
        {
            EpochsWithoutImprovement++;
        }
        return improved;
    }

    /// <summary>The best epoch (0 before any), the best value and the epochs since, as saved in checkpoints.</summary>
    public (int BestEpoch, double BestValue, int EpochsWithoutImprovement) State
    {
        get => (BestEpoch ?? 0, BestValue, EpochsWithoutImprovement);
        set
        {
            BestEpoch = value.BestEpoch > 0 ? value.BestEpoch : null;
            BestValue = value.BestValue;
            EpochsWithoutImprovement = value.EpochsWithoutImprovement;
        }
    }
}
