namespace MLNetCnn.Training;

/// <summary>
/// How the learning rate changes during training. Schedules advance once per optimisation step, so a change
/// "at epoch k" happens on the first step of epoch k + 1; an optional linear warm-up comes first (see
/// <see cref="TrainingOptions.WarmupEpochs"/>) and the schedule then starts from the full learning rate.
/// </summary>
public enum ScheduleKind
{
    /// <summary>The learning rate stays as given.</summary>
    Constant,

    /// <summary>Multiplied by <see cref="TrainingOptions.Gamma"/> every <see cref="TrainingOptions.StepEpochs"/> epochs (PyTorch's
    /// StepLR).</summary>
    Step,

    /// <summary>Multiplied by <see cref="TrainingOptions.Gamma"/> at each of <see cref="TrainingOptions.Milestones"/> (PyTorch's
    /// MultiStepLR).</summary>
    MultiStep,

    /// <summary>
    /// Cosine annealing from the learning rate down to <see cref="TrainingOptions.MinLearningRate"/> over the rest of
    /// the run (PyTorch's CosineAnnealingLR, without restarts).
    /// </summary>
    Cosine,

    /// <summary>
    /// The one-cycle policy (Smith and Topin, 2017; PyTorch's OneCycleLR): up from a 25th of the learning rate to
    /// the learning rate over the first 30 % of the steps, then down to a 10,000th of the start along a cosine. It
    /// also cycles SGD's momentum (or Adam's first beta) between 0.95 and 0.85. It has its own warm-up.
    /// </summary>
    OneCycle,
}
