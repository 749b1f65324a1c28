namespace MLNetCnn.Training;

/// <summary>How a network is trained.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Images per mini-batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The optimizer's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Momentum for <see cref="OptimizerKind.Sgd"/>.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>L2 weight decay added by the optimizer.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Seeds weight initialisation, shuffling and dropout; the same seed repeats a CPU run exactly.</summary>
    public int Seed { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public TrainingOptions Validate()
    {
        Require(Epochs > 0, nameof(Epochs), Epochs, "must be at least 1");
        Require(BatchSize > 0, nameof(BatchSize), BatchSize, "must be at least 1");
        Require(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), LearningRate, "must be a positive number");
        Require(double.IsFinite(Momentum) && Momentum is >= 0 and < 1, nameof(Momentum), Momentum, "must be in [0, 1)");
        Require(double.IsFinite(WeightDecay) && WeightDecay >= 0, nameof(WeightDecay), WeightDecay, "must be zero or positive");
        if (!Enum.IsDefined(Optimizer))
            throw new ArgumentException($"Unknown optimizer {Optimizer}.", nameof(Optimizer));
        return this;
    }

    private static void Require(bool valid, string name, object value, string rule)
    {
        if (!valid)
            throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}; it is {value}.");
    }
}
