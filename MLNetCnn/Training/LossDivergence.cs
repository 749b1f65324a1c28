using System.Globalization;

namespace MLNetCnn.Training;

/// <summary>
/// A training loss that grows instead of falling: the usual sign of a learning rate too high for the network, which a
/// NaN check alone misses (the loss stays finite while the model drifts to chance).
/// </summary>
/// <param name="Epoch">The epoch at which the growth was seen, from 1.</param>
/// <param name="Reason">What was seen, in numbers.</param>
public sealed record LossDivergence(int Epoch, string Reason)
{
    /// <summary>How much above the first epoch's mean loss a later epoch's mean may go before training counts as diverging.</summary>
    public const double AboveFirstEpochFactor = 1.5;

    /// <summary>Epochs in a row whose mean loss rose over the one before, after which training counts as diverging.</summary>
    public const int RisingEpochs = 3;

    /// <summary>
    /// The first divergence the epochs show, or null: an epoch's mean training loss at least <see cref="AboveFirstEpochFactor"/>
    /// times the first epoch's (which already holds the untrained network's loss), or <see cref="RisingEpochs"/> rises in a row.
    /// </summary>
    public static LossDivergence? Detect(IReadOnlyList<EpochReport> epochs)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        for (int end = 1; end < epochs.Count; end++)
        {
            if (DetectAt(epochs, end) is { } divergence)
                return divergence;
        }
        return null;
    }

    /// <summary>The divergence the newest epoch shows, if any: what a run checks after each epoch, the earlier ones checked
    /// already.</summary>
    internal static LossDivergence? DetectAtLast(IReadOnlyList<EpochReport> epochs) =>
        epochs.Count < 2 ? null : DetectAt(epochs, epochs.Count - 1);

    private static LossDivergence? DetectAt(IReadOnlyList<EpochReport> epochs, int end)
    {
        var last = epochs[end];
        var first = epochs[0];
        if (last.TrainLoss >= AboveFirstEpochFactor * first.TrainLoss)
        {
            return new(last.Epoch, Format(
                $"the training loss rose from {first.TrainLoss:F4} in epoch {first.Epoch} to {last.TrainLoss:F4} in epoch {last.Epoch}"));
        }
        if (end >= RisingEpochs && Enumerable.Range(end - RisingEpochs + 1, RisingEpochs).All(i => epochs[i].TrainLoss > epochs[i - 1].TrainLoss))
        {
            var start = epochs[end - RisingEpochs];
            return new(last.Epoch, Format($"the training loss rose in each of the last {RisingEpochs} epochs, from {start.TrainLoss:F4} in epoch {
                start.Epoch} to {last.TrainLoss:F4} in epoch {last.Epoch}"));
        }
        return null;
    }

    /// <summary>The warning for logs: what was seen and what to do.</summary>
    public override string ToString() =>
        $"Training is diverging: {Reason}. The learning rate is likely too high: the lr-find command (or LearningRateFinder) suggests one.";

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
