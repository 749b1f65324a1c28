using MLNetCnn.Training;

namespace MLNetCnn.Estimators;

/// <summary>
/// Asynchronous successive halving (ASHA, Li et al. 2020), the early stopping of <see cref="CnnExperiment"/> trials that
/// fall behind: rungs sit at <see cref="MinEpochs"/>, then <see cref="ReductionFactor"/> times as many epochs, and so on. A
/// trial that reaches a rung records its epoch metric there and goes on only if that metric is among the best
/// 1/<see cref="ReductionFactor"/> of all the metrics recorded at the rung so far (its own included, rounded up, so the first
/// to arrive always goes on); otherwise it stops as <see cref="CnnTrialStatus.Pruned"/>. Nobody waits for a rung to fill,
/// so trials run side by side on many workers. The epoch metric is the validation accuracy when the trainer validates
/// (<c>ValidationFraction</c>), the training accuracy otherwise; higher is better.
/// </summary>
public sealed class CnnSuccessiveHalving
{
    /// <summary>The epoch of the first rung; at least 1.</summary>
    public int MinEpochs = 1;

    /// <summary>How many times more epochs each rung has than the one before, and the share (1 in this many) that goes on; at least
    /// 2.</summary>
    public int ReductionFactor = 2;

    /// <summary>Whether <paramref name="epoch"/> (from 1) is a rung.</summary>
    public bool IsRung(int epoch)
    {
        for (long rung = MinEpochs; rung <= epoch; rung *= ReductionFactor)
        {
            if (rung == epoch)
                return true;
        }
        return false;
    }

    /// <summary>
    /// Whether a trial whose metric at a rung is <paramref name="metric"/> stops, given <paramref name="recordedAtRung"/>, every
    /// metric recorded at that rung so far including this one.
    /// </summary>
    public bool ShouldStop(double metric, IReadOnlyCollection<double> recordedAtRung)
    {
        ArgumentNullException.ThrowIfNull(recordedAtRung);
        int kept = (recordedAtRung.Count + ReductionFactor - 1) / ReductionFactor;
        int better = recordedAtRung.Count(m => m > metric);
        return better >= Math.Max(kept, 1);
    }

    internal void Validate()
    {
        if (MinEpochs < 1)
            throw new ArgumentOutOfRangeException(nameof(MinEpochs), MinEpochs, "MinEpochs must be at least 1.");
        if (ReductionFactor < 2)
            throw new ArgumentOutOfRangeException(nameof(ReductionFactor), ReductionFactor, "ReductionFactor must be at least 2.");
    }

    /// <summary>The metric a trial reports at the end of an epoch.</summary>
    internal static double EpochMetric(EpochReport report) => report.ValidationAccuracy ?? report.TrainAccuracy;
}

/// <summary>Where the metrics of a rung are recorded: in memory for one process, in the study store for many.</summary>
internal interface IRungRecord
{
    /// <summary>Records <paramref name="metric"/> of trial <paramref name="trialNumber"/> at epoch <paramref name="epoch"/>; returns every
    /// metric recorded there.</summary>
    IReadOnlyCollection<double> Record(int trialNumber, int epoch, double metric);
}

/// <summary>The rungs of one process's experiment.</summary>
internal sealed class InMemoryRungs : IRungRecord
{
    private readonly Dictionary<int, List<double>> _rungs = [];

    public IReadOnlyCollection<double> Record(int trialNumber, int epoch, double metric)
    {
        lock (_rungs)
        {
            if (!_rungs.TryGetValue(epoch, out var metrics))
                _rungs[epoch] = metrics = [];
            metrics.Add(metric);
            return [.. metrics];
        }
    }
}
