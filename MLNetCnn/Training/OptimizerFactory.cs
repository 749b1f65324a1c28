using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>Creates TorchSharp's optimizer for <see cref="TrainingOptions.Optimizer"/> and its settings.</summary>
public static class OptimizerFactory
{
    /// <summary>An optimizer over <paramref name="parameters"/> at <see cref="TrainingOptions.LearningRate"/>.</summary>
    public static OptimizerHelper Create(TrainingOptions options, IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(parameters);
        return options.Optimizer switch
        {
            OptimizerKind.Adam => optim.Adam(parameters, options.LearningRate, weight_decay: options.WeightDecay),
            OptimizerKind.AdamW => optim.AdamW(parameters, options.LearningRate, weight_decay: options.WeightDecay),
            OptimizerKind.Sgd => optim.SGD(parameters, options.LearningRate, options.Momentum, weight_decay: options.WeightDecay, nesterov: options.Nesterov),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Optimizer, "Unknown optimizer."),
        };
    }
}
