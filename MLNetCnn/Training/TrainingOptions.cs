using MLNetCnn.Architectures;

namespace MLNetCnn.Training;

/// <summary>How a network is trained.</summary>
public sealed record TrainingOptions
{
    /// <summary>The default of <see cref="Epochs"/>, a constant for the catalogs' optional parameters.</summary>
    public const int DefaultEpochs = 10;

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = DefaultEpochs;

    /// <summary>Images per mini-batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The optimizer's learning rate: the peak of a schedule, reached after any warm-up.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>The optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Momentum of <see cref="OptimizerKind.Sgd"/>.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Nesterov momentum for <see cref="OptimizerKind.Sgd"/> (needs a positive <see cref="Momentum"/>).</summary>
    public bool Nesterov { get; init; }

    /// <summary>Weight decay: an L2 penalty for Adam and SGD, decoupled for AdamW.</summary>
    public double WeightDecay { get; init; }

    /// <summary>Label smoothing of the cross-entropy, in [0, 1): the targets become <c>1 - s + s/K</c> and <c>s/K</c>.</summary>
    public double LabelSmoothing { get; init; }

    /// <summary>
    /// Weights of the classes in the loss, for imbalanced data: <see cref="ClassWeights.None"/>, <see cref="ClassWeights.Balanced"/>
    /// (from the training data's class counts) or given per class (<see cref="ClassWeights.Of"/>). Combines with the example
    /// weights of a <see cref="WeightedEpochData"/> by multiplying.
    /// </summary>
    public ClassWeights ClassWeights { get; init; } = ClassWeights.None;

    /// <summary>
    /// Draw each epoch's rows class-balanced (a class uniformly, then one of its rows, with replacement) instead of a
    /// permutation of all rows: every class is seen about as often, small ones repeated. An alternative to
    /// <see cref="ClassWeights.Balanced"/> (using both corrects the imbalance twice).
    /// </summary>
    public bool ClassBalancedSampling { get; init; }

    /// <summary>Clips the global L2 norm of the gradients to this value before each step; 0 for no clipping.</summary>
    public double GradientClipNorm { get; init; }

    /// <summary>
    /// MixUp: each batch is blended with a shuffled copy of itself by a share drawn from Beta(alpha, alpha), and the loss
    /// gives both labels their share; 0 (the default) for none, 0.2 to 0.4 for small data sets (timm: 0.8).
    /// </summary>
    public double MixUpAlpha { get; init; }

    /// <summary>
    /// CutMix: a rectangle of a shuffled copy of the batch is pasted into each image, its area drawn from Beta(alpha, alpha),
    /// and the labels are mixed by area; 0 (the default) for none, 1 usual. With <see cref="MixUpAlpha"/> too, each batch
    /// uses one of the two, with equal chances.
    /// </summary>
    public double CutMixAlpha { get; init; }

    /// <summary>
    /// Keeps an exponential moving average of the weights with this decay per step (0.999 or 0.9999 usual; 0, the default,
    /// for none); validation, early stopping and the trained model use the averaged weights.
    /// </summary>
    public double EmaDecay { get; init; }

    /// <summary>How the learning rate changes over the run.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;

    /// <summary>
    /// Epochs (fractions allowed) over which the learning rate rises linearly from 1 % of <see cref="LearningRate"/>
    /// before the schedule starts; 0 for none. Not used with <see cref="ScheduleKind.OneCycle"/>, which has its own.
    /// </summary>
    public double WarmupEpochs { get; init; }

    /// <summary>The period, in epochs, of <see cref="ScheduleKind.Step"/>.</summary>
    public int StepEpochs { get; init; } = 10;

    /// <summary>The epochs, counted after warm-up and in increasing order, at which <see cref="ScheduleKind.MultiStep"/> decays.</summary>
    public IReadOnlyList<int> Milestones { get; init; } = [];

    /// <summary>The factor of each decay of <see cref="ScheduleKind.Step"/> and <see cref="ScheduleKind.MultiStep"/>.</summary>
    public double Gamma { get; init; } = 0.1;

    /// <summary>The learning rate <see cref="ScheduleKind.Cosine"/> ends at.</summary>
    public double MinLearningRate { get; init; }

    /// <summary>Stops training when a metric stops improving and restores the best weights; null to train every epoch.</summary>
    public EarlyStoppingOptions? EarlyStopping { get; init; }

    /// <summary>Saves the training state to a folder, to resume an interrupted run; null for no checkpoints.</summary>
    public CheckpointOptions? Checkpoints { get; init; }

    /// <summary>
    /// When training is cancelled, return normally with the weights of the best epoch so far (by the early-stopping
    /// metric, or the last completed epoch without one) instead of throwing an <see cref="OperationCanceledException"/>.
    /// Cancellation before the first epoch ends throws either way.
    /// </summary>
    public bool ReturnBestModelOnCancel { get; init; }

    /// <summary>16-bit passes with float32 master weights on CUDA; no effect on the CPU.</summary>
    public MixedPrecision MixedPrecision { get; init; } = MixedPrecision.None;

    /// <summary>
    /// On CUDA, prepare the next mini-batches in pinned memory on a background thread while the GPU computes. The
    /// CPU always prepares them when needed: there a batch takes about 1 % of a step to prepare, and the thread's
    /// tensor operations compete with libtorch's own threads (training ran 30 to 45 % slower with it on 2 cores).
    /// The batches, and so the results, are the same either way.
    /// </summary>
    public bool Prefetch { get; init; } = true;

    /// <summary>
    /// The memory layout of the images, feature maps, convolution weights, gradients and optimizer state while training
    /// (<see cref="TensorLayout"/>; <see cref="TensorLayouts.Description"/>). The trained weights come back channels-first.
    /// </summary>
    public TensorLayout Layout { get; init; } = TensorLayouts.Default;

    /// <summary>
    /// Epochs at the start during which only the classifier head (<see cref="IClassifierHead"/>) learns: the rest of the
    /// network, the backbone, gets no gradients and its batch normalisation keeps its running statistics. 0 trains
    /// everything from the start; <see cref="Epochs"/> or more keeps the backbone frozen throughout.
    /// </summary>
    public int FrozenBackboneEpochs { get; init; }

    /// <summary>
    /// The backbone's learning rate as a multiple of <see cref="LearningRate"/> (the backbone and the head are separate
    /// optimizer parameter groups), for example 0.1 to fine-tune pretrained weights gently; 1 trains the whole network alike.
    /// </summary>
    public double BackboneLearningRateFactor { get; init; } = 1;

    /// <summary>Whether the backbone is treated apart from the head (frozen for some epochs or at its own learning rate).</summary>
    internal bool SeparatesBackbone => FrozenBackboneEpochs > 0 || BackboneLearningRateFactor != 1;

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
        Require(double.IsFinite(LabelSmoothing) && LabelSmoothing is >= 0 and < 1, nameof(LabelSmoothing), LabelSmoothing, "must be in [0, 1)");
        Require(double.IsFinite(GradientClipNorm) && GradientClipNorm >= 0, nameof(GradientClipNorm), GradientClipNorm, "must be zero (no clipping) or positive");
        Require(double.IsFinite(MixUpAlpha) && MixUpAlpha >= 0, nameof(MixUpAlpha), MixUpAlpha, "must be zero (no MixUp) or positive");
        Require(double.IsFinite(CutMixAlpha) && CutMixAlpha >= 0, nameof(CutMixAlpha), CutMixAlpha, "must be zero (no CutMix) or positive");
        Require(double.IsFinite(EmaDecay) && EmaDecay is >= 0 and < 1, nameof(EmaDecay), EmaDecay, "must be in [0, 1) (0: no averaging)");
        Require(double.IsFinite(WarmupEpochs) && WarmupEpochs >= 0 && WarmupEpochs < Epochs, nameof(WarmupEpochs), WarmupEpochs, $"must be zero or positive and less than Epochs ({Epochs})");
        Require(double.IsFinite(Gamma) && Gamma is > 0 and <= 1, nameof(Gamma), Gamma, "must be in (0, 1]");
        Require(double.IsFinite(MinLearningRate) && MinLearningRate >= 0 && MinLearningRate <= LearningRate, nameof(MinLearningRate), MinLearningRate,
            $"must be in [0, LearningRate ({LearningRate})]");
        Require(FrozenBackboneEpochs >= 0, nameof(FrozenBackboneEpochs), FrozenBackboneEpochs, "must be zero or positive");
        Require(double.IsFinite(BackboneLearningRateFactor) && BackboneLearningRateFactor > 0, nameof(BackboneLearningRateFactor), BackboneLearningRateFactor,
            "must be a positive number (freeze the backbone with FrozenBackboneEpochs)");
        ArgumentNullException.ThrowIfNull(ClassWeights, nameof(ClassWeights));
        if (!Enum.IsDefined(Optimizer))
            throw new ArgumentException($"Unknown optimizer {Optimizer}.", nameof(Optimizer));
        if (!Enum.IsDefined(Schedule))
            throw new ArgumentException($"Unknown schedule {Schedule}.", nameof(Schedule));
        if (!Enum.IsDefined(Layout))
            throw new ArgumentException($"Unknown tensor layout {Layout}.", nameof(Layout));
        if (!Enum.IsDefined(MixedPrecision))
            throw new ArgumentException($"Unknown mixed precision {MixedPrecision}.", nameof(MixedPrecision));
        if (Nesterov && (Optimizer != OptimizerKind.Sgd || Momentum <= 0))
            throw new ArgumentException($"Nesterov momentum needs the Sgd optimizer and a positive Momentum; the options have {Optimizer} and Momentum {Momentum}.", nameof(Nesterov));
        if (Schedule == ScheduleKind.Step)
            Require(StepEpochs > 0, nameof(StepEpochs), StepEpochs, "must be at least 1 for the Step schedule");
        if (Schedule == ScheduleKind.MultiStep)
        {
            ArgumentNullException.ThrowIfNull(Milestones, nameof(Milestones));
            if (Milestones.Count == 0 || Milestones[0] < 1 || Milestones.Zip(Milestones.Skip(1)).Any(p => p.Second <= p.First))
                throw new ArgumentException($"Milestones must be epochs from 1 in increasing order for the MultiStep schedule; they are [{string.Join(", ", Milestones)}].", nameof(Milestones));
        }
        if (Schedule == ScheduleKind.OneCycle && BackboneLearningRateFactor != 1)
            throw new ArgumentException("BackboneLearningRateFactor cannot be combined with the OneCycle schedule: TorchSharp 0.107's OneCycleLR " +
                "schedules every parameter group but the first wrongly.", nameof(BackboneLearningRateFactor));
        if (Schedule == ScheduleKind.OneCycle && WarmupEpochs > 0)
            throw new ArgumentException("WarmupEpochs cannot be combined with the OneCycle schedule, whose first phase is its warm-up.", nameof(WarmupEpochs));
        if (EarlyStopping is { } stopping)
        {
            if (!Enum.IsDefined(stopping.Metric))
                throw new ArgumentException($"Unknown early-stopping metric {stopping.Metric}.", nameof(EarlyStopping));
            Require(stopping.Patience > 0, "EarlyStopping.Patience", stopping.Patience, "must be at least 1");
            Require(double.IsFinite(stopping.MinDelta) && stopping.MinDelta >= 0, "EarlyStopping.MinDelta", stopping.MinDelta, "must be zero or positive");
        }
        if (Checkpoints is { } checkpoints)
        {
            if (string.IsNullOrWhiteSpace(checkpoints.Folder))
                throw new ArgumentException("Checkpoints.Folder must name a folder.", nameof(Checkpoints));
            Require(checkpoints.EverySteps >= 0, "Checkpoints.EverySteps", checkpoints.EverySteps, "must be zero (each epoch) or positive");
        }
        return this;
    }

    private static void Require(bool valid, string name, object value, string rule)
    {
        if (!valid)
            throw new ArgumentOutOfRangeException(name, value, $"{name} {rule}; it is {value}.");
    }
}
