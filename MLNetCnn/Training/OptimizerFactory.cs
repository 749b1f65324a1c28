using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// Creates TorchSharp's optimizer for <see cref="TrainingOptions.Optimizer"/> and its settings, with scalar arguments that outlive
/// their native calls (<see cref="ScalarSafeAdam"/>).
/// </summary>
public static class OptimizerFactory
{
    /// <summary>An optimizer over <paramref name="parameters"/> at <see cref="TrainingOptions.LearningRate"/>.</summary>
    public static OptimizerHelper Create(TrainingOptions options, IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return Create(options, [(parameters, 1.0)]);
    }

    /// <summary>
    /// An optimizer with one parameter group per entry of <paramref name="groups"/>, each at <see cref="TrainingOptions.LearningRate"/>
    /// times its factor, which schedules keep (except <see cref="ScheduleKind.OneCycle"/>); the first group's rate is the one reported.
    /// </summary>
    public static OptimizerHelper Create(TrainingOptions options, IEnumerable<(IEnumerable<Parameter> Parameters, double LearningRateFactor)> groups)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(groups);
        var rates = groups.Select(g => (g.Parameters, LearningRate: options.LearningRate * g.LearningRateFactor)).ToList();
        return options.Optimizer switch
        {
            OptimizerKind.Adam => new ScalarSafeAdam(
                rates.Select(g => new Adam.ParamGroup(g.Parameters, new Adam.Options { LearningRate = g.LearningRate })),
                options.LearningRate, options.WeightDecay),
            OptimizerKind.AdamW => new ScalarSafeAdamW(
                rates.Select(g => new AdamW.ParamGroup(g.Parameters, new AdamW.Options { LearningRate = g.LearningRate })),
                options.LearningRate, options.WeightDecay),
            OptimizerKind.Sgd => new ScalarSafeSgd(
                rates.Select(g => new SGD.ParamGroup(g.Parameters, new SGD.Options { LearningRate = g.LearningRate })),
                options.LearningRate, options.Momentum, options.WeightDecay, options.Nesterov),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
        };
    }
}
