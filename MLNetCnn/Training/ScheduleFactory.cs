using static TorchSharp.torch.optim;
using static TorchSharp.torch.optim.lr_scheduler;

namespace MLNetCnn.Training;

/// <summary>
/// Creates TorchSharp's learning-rate scheduler for <see cref="TrainingOptions.Schedule"/>, stepped once per
/// optimisation step: epochs in the options become steps with <c>stepsPerEpoch</c>. Call <c>step()</c> after each
/// optimizer step; the learning rate of step <c>t</c> (from 0) is the optimizer's after <c>t</c> calls.
/// </summary>
public static class ScheduleFactory
{
    /// <summary>The fraction of the learning rate the linear warm-up starts from.</summary>
    public const double WarmupStartFactor = 0.01;

    /// <summary>The share of the steps <see cref="ScheduleKind.OneCycle"/> spends rising (PyTorch's default).</summary>
    public const double OneCycleRisingFraction = 0.3;

    /// <summary>A scheduler bound to <paramref name="optimizer"/>, which must have been created at the options' learning rate.</summary>
    public static LRScheduler Create(Optimizer optimizer, TrainingOptions options, int stepsPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerEpoch, 1);
        int totalSteps = checked(options.Epochs * stepsPerEpoch);
        int warmupSteps = WarmupSteps(options, stepsPerEpoch);
        var main = options.Schedule switch
        {
            ScheduleKind.Constant => warmupSteps > 0 ? null : LambdaLR(optimizer, _ => 1.0),
            ScheduleKind.Step => StepLR(optimizer, checked(options.StepEpochs * stepsPerEpoch), options.Gamma),
            ScheduleKind.MultiStep => MultiStepLR(optimizer, [.. options.Milestones.Select(epoch => checked(epoch * stepsPerEpoch))], options.Gamma),
            ScheduleKind.Cosine => CosineAnnealingLR(optimizer, totalSteps - warmupSteps, options.MinLearningRate),
            ScheduleKind.OneCycle => OneCycleLR(optimizer, options.LearningRate, total_steps: totalSteps, pct_start: OneCycleRisingFraction),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Schedule, "Unknown schedule."),
        };
        if (warmupSteps == 0)
            return main!;
        var warmup = LinearLR(optimizer, WarmupStartFactor, 1.0, warmupSteps);
        return main is null ? warmup : SequentialLR(optimizer, [warmup, main], [warmupSteps]);
    }

    /// <summary>The optimisation steps of the warm-up: at least one when there is a warm-up.</summary>
    public static int WarmupSteps(TrainingOptions options, int stepsPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.WarmupEpochs > 0 ? Math.Max(1, (int)Math.Round(options.WarmupEpochs * stepsPerEpoch)) : 0;
    }
}
