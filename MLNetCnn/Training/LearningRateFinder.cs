using MLNetCnn.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>Settings of the learning-rate range test.</summary>
public sealed record LearningRateFinderOptions
{
    /// <summary>The learning rate of the first step.</summary>
    public double StartLearningRate { get; init; } = 1e-7;

    /// <summary>The learning rate of the last step.</summary>
    public double EndLearningRate { get; init; } = 10;

    /// <summary>Steps (mini-batches) from the start to the end rate, growing geometrically.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>The factor of the exponential moving average that smooths the losses (fastai's 0.98).</summary>
    public double Smoothing { get; init; } = 0.98;

    /// <summary>The test stops early once the smoothed loss exceeds this many times its lowest value.</summary>
    public double DivergenceFactor { get; init; } = 4;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting out of range.</summary>
    public LearningRateFinderOptions Validate()
    {
        if (!double.IsFinite(StartLearningRate) || StartLearningRate <= 0)
            throw new ArgumentOutOfRangeException(nameof(StartLearningRate), StartLearningRate, "StartLearningRate must be a positive number.");
        if (!double.IsFinite(EndLearningRate) || EndLearningRate <= StartLearningRate)
            throw new ArgumentOutOfRangeException(nameof(EndLearningRate), EndLearningRate, $"EndLearningRate must be above StartLearningRate ({StartLearningRate}).");
        if (Steps < 5)
            throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "Steps must be at least 5.");
        if (!double.IsFinite(Smoothing) || Smoothing is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, "Smoothing must be in [0, 1).");
        if (!double.IsFinite(DivergenceFactor) || DivergenceFactor <= 1)
            throw new ArgumentOutOfRangeException(nameof(DivergenceFactor), DivergenceFactor, "DivergenceFactor must be above 1.");
        return this;
    }
}

/// <summary>The loss of one step of the range test.</summary>
/// <param name="LearningRate">The learning rate of the step.</param>
/// <param name="Loss">The step's training loss.</param>
/// <param name="SmoothedLoss">The bias-corrected exponential moving average of the losses so far.</param>
public readonly record struct LearningRatePoint(double LearningRate, double Loss, double SmoothedLoss);

/// <summary>The outcome of a learning-rate range test.</summary>
/// <param name="Points">The loss at each learning rate tried, in increasing order of learning rate.</param>
/// <param name="SuggestedLearningRate">
/// Where the smoothed loss falls fastest against the logarithm of the learning rate, before its minimum (fastai's
/// "steep" suggestion); when the minimum comes too early to tell, <see cref="LowestLossLearningRate"/> / 10.
/// </param>
/// <param name="LowestLossLearningRate">
/// The learning rate of the lowest smoothed loss; a tenth of it is the other common rule (Smith, 2017).
/// </param>
public sealed record LearningRateSearch(IReadOnlyList<LearningRatePoint> Points, double SuggestedLearningRate, double LowestLossLearningRate);

/// <summary>
/// The learning-rate range test (Smith, 2017; fastai's <c>lr_find</c>): trains for a few steps while the learning
/// rate grows geometrically, records the loss at each, and suggests a learning rate. The model is given back its
/// weights afterwards, and TorchSharp's random generator its state.
/// </summary>
public sealed class LearningRateFinder
{
    private readonly TrainingOptions _training;
    private readonly LearningRateFinderOptions _options;

    /// <summary>Creates a finder that trains as <paramref name="training"/> says (optimizer, batch size, seed), without its schedule.</summary>
    public LearningRateFinder(TrainingOptions training, LearningRateFinderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        _options = (options ?? new LearningRateFinderOptions()).Validate();
        _training = (training with
        {
            LearningRate = _options.StartLearningRate,
            Schedule = ScheduleKind.Constant,
            WarmupEpochs = 0,
            MinLearningRate = 0,
            EarlyStopping = null,
            Checkpoints = null,
        }).Validate();
    }

    /// <summary>Runs the test on <paramref name="data"/>, cycling through its epochs as needed.</summary>
    /// <exception cref="InvalidOperationException">The loss was not finite even at the first step.</exception>
    public LearningRateSearch Run(CnnModel model, IEpochData data, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ClassifierTrainer.CheckFits(model, data, "training");
        using var weights = WeightSnapshot.Capture(model.Network);
        using var randomState = random.get_rng_state();
        try
        {
            var points = Sweep(model, data, cancellation);
            if (points.Count == 0)
                throw new InvalidOperationException($"The loss was not finite even at learning rate {_options.StartLearningRate:G3}; lower StartLearningRate.");
            return Suggest(points);
        }
        finally
        {
            weights.RestoreInto(model.Network);
            random.set_rng_state(randomState);
            model.Network.eval();
            model.WeightsChanged();
        }
    }

    private List<LearningRatePoint> Sweep(CnnModel model, IEpochData data, CancellationToken cancellation)
    {
        using var optimizer = OptimizerFactory.Create(_training, model.Network.parameters());
        var schedule = optim.lr_scheduler.ExponentialLR(optimizer, Math.Pow(_options.EndLearningRate / _options.StartLearningRate, 1.0 / (_options.Steps - 1)));
        using var step = new TrainingStep(model, optimizer, _training, TrainingStep.MixedPrecisionFor(model, _training), nonBlockingCopies: false);
        var points = new List<LearningRatePoint>(_options.Steps);
        double average = 0, lowest = double.PositiveInfinity;
        model.Network.train();
        for (int epoch = 1; ; epoch++)
        {
            var order = new ShuffledOrder(data.Count, _training.Seed, epoch);
            using var batches = new EpochBatches(data, order, epoch, _training.BatchSize, firstStep: 0, prefetch: false, pinMemory: false);
            for (int stepInEpoch = 1; ; stepInEpoch++)
            {
                cancellation.ThrowIfCancellationRequested();
                double loss;
                double learningRate = step.LearningRate;
                using (var scope = NewDisposeScope())
                {
                    if (!batches.TryTake(scope, out var images, out var labels))
                        break;
                    try
                    {
                        loss = step.Run(images, labels, epoch, stepInEpoch).Loss;
                    }
                    catch (TrainingDivergedException)
                    {
                        return points;
                    }
                }
                average = _options.Smoothing * average + (1 - _options.Smoothing) * loss;
                double smoothed = average / (1 - Math.Pow(_options.Smoothing, points.Count + 1));
                points.Add(new LearningRatePoint(learningRate, loss, smoothed));
                lowest = Math.Min(lowest, smoothed);
                if (points.Count == _options.Steps || smoothed > _options.DivergenceFactor * lowest)
                    return points;
                schedule.step();
            }
        }
    }

    private static LearningRateSearch Suggest(List<LearningRatePoint> points)
    {
        int lowestIndex = 0;
        for (int i = 1; i < points.Count; i++)
        {
            if (points[i].SmoothedLoss < points[lowestIndex].SmoothedLoss)
                lowestIndex = i;
        }
        double lowestLossRate = points[lowestIndex].LearningRate;
        int steepest = -1;
        double steepestSlope = 0;
        for (int i = 1; i < lowestIndex; i++)
        {
            double slope = (points[i + 1].SmoothedLoss - points[i - 1].SmoothedLoss) /
                           (Math.Log10(points[i + 1].LearningRate) - Math.Log10(points[i - 1].LearningRate));
            if (slope < steepestSlope)
                (steepest, steepestSlope) = (i, slope);
        }
        double suggested = steepest >= 0 ? points[steepest].LearningRate : lowestLossRate / 10;
        return new LearningRateSearch(points, suggested, lowestLossRate);
    }
}
