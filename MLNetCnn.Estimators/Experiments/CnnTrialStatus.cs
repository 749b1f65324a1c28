namespace MLNetCnn.Estimators;

/// <summary>How a trial of a <see cref="CnnExperiment"/> ended.</summary>
public enum CnnTrialStatus
{
    /// <summary>Trained and evaluated on every fold; it has metrics.</summary>
    Completed,

    /// <summary>Threw while building, training or evaluating; <see cref="CnnTrialResult.Error"/> says what.</summary>
    Failed,

    /// <summary>Stopped when the experiment's time budget ran out, before it finished; it has no metrics.</summary>
    StoppedAtBudget,

    /// <summary>Stopped at a rung of <see cref="CnnExperiment.Options.SuccessiveHalving"/>: its epoch metric fell behind; it has no
    /// metrics.</summary>
    Pruned,
}
