namespace MLNetCnn.Estimators;

/// <summary>How a <see cref="CnnExperiment"/> walks a <see cref="CnnSearchSpace"/>.</summary>
public enum CnnSearchStrategy
{
    /// <summary>Every combination in a fixed order, the architecture varying fastest (see <see cref="CnnSearchSpace.Grid"/>).</summary>
    Grid,

    /// <summary>Combinations drawn at random without repeats, seeded by the experiment (see <see
    /// cref="CnnSearchSpace.RandomOrder"/>).</summary>
    Random,
}
