using System.Collections;

namespace MLNetCnn.Training;

/// <summary>How a training run ended.</summary>
public enum TrainingOutcome
{
    /// <summary>Every epoch ran.</summary>
    Completed,

    /// <summary>Early stopping ended the run; the model holds the best epoch's weights.</summary>
    StoppedEarly,

    /// <summary>The run was cancelled and the best weights so far were kept (<see
    /// cref="TrainingOptions.ReturnBestModelOnCancel"/>).</summary>
    Cancelled,

    /// <summary>
    /// The training loss diverged (<see cref="TrainingHistory.Divergence"/>) with early stopping on, which ended the run; the model
    /// holds the best epoch's weights.
    /// </summary>
    Diverged,
}

/// <summary>The report of every epoch of a run, and how the run ended.</summary>
public sealed class TrainingHistory : IReadOnlyList<EpochReport>
{
    private readonly IReadOnlyList<EpochReport> _epochs;

    /// <summary>Creates a history.</summary>
    /// <param name="epochs">The report of each epoch, in order.</param>
    /// <param name="outcome">How the run ended.</param>
    /// <param name="restoredEpoch">The epoch whose weights the model was given back at the end, if any.</param>
    /// <param name="resumedFromStep">The optimisation step a resumed run continued after, if it was resumed.</param>
    /// <param name="divergence">The first sign of a diverging training loss, if the epochs showed one.</param>
    public TrainingHistory(IReadOnlyList<EpochReport> epochs, TrainingOutcome outcome, int? restoredEpoch = null, int? resumedFromStep = null,
        LossDivergence? divergence = null)
    {
        Divergence = divergence;
        ArgumentNullException.ThrowIfNull(epochs);
        _epochs = epochs;
        Outcome = outcome;
        RestoredEpoch = restoredEpoch;
        ResumedFromStep = resumedFromStep;
    }

    /// <summary>A history with no epochs, as for a model loaded from a file.</summary>
    public static TrainingHistory Empty { get; } = new([], TrainingOutcome.Completed);

    /// <summary>How the run ended.</summary>
    public TrainingOutcome Outcome { get; }

    /// <summary>
    /// The epoch whose weights the model was given back at the end: the best epoch of early stopping, or of a
    /// cancelled run that kept its best model; null when the model holds the weights of its last step.
    /// </summary>
    public int? RestoredEpoch { get; }

    /// <summary>The global optimisation step a resumed run continued after (0 for a checkpoint before the first step); null for a fresh
    /// run.</summary>
    public int? ResumedFromStep { get; }

    /// <summary>The first sign that the training loss diverged (grew instead of falling), or null; training then reported it as it
    /// happened.</summary>
    public LossDivergence? Divergence { get; }

    /// <inheritdoc/>
    public int Count => _epochs.Count;

    /// <inheritdoc/>
    public EpochReport this[int index] => _epochs[index];

    /// <inheritdoc/>
    public IEnumerator<EpochReport> GetEnumerator() => _epochs.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One line saying how the run ended, for logs.</summary>
    public override string ToString()
    {
        string ending = Outcome switch
        {
            TrainingOutcome.StoppedEarly => $"stopped early after epoch {Count}",
            TrainingOutcome.Cancelled => $"cancelled after epoch {Count}",
            TrainingOutcome.Diverged => $"stopped after epoch {Count}, diverging",
            _ => $"completed {Count} epoch(s)",
        };
        string restored = RestoredEpoch is { } epoch ? $"; the model holds the weights of epoch {epoch}" : "";
        string resumed = ResumedFromStep is { } step ? $" (resumed from a checkpoint after step {step})" : "";
        string diverged = Divergence is { } divergence ? $" {divergence}" : "";
        return $"Training {ending}{resumed}{restored}.{diverged}";
    }
}
