using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// TorchSharp's <see cref="AdamW"/> with scalar arguments that live through their native calls, as <see cref="ScalarSafeAdam"/>
/// is to <see cref="Adam"/>: the same arithmetic and state, the decoupled weight decay first.
/// </summary>
internal sealed class ScalarSafeAdamW(IEnumerable<AdamW.ParamGroup> groups, double learningRate, double weightDecay)
    : AdamW(groups, learningRate, weight_decay: weightDecay)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double rate = options.LearningRate!.Value;
        using var update = AdamUpdate.For(options);
        using var shrink = (1 - rate * options.weight_decay!.Value).ToScalar();
        foreach (var parameter in group.Parameters)
        {
            if (update.GradientOf(parameter) is not { } gradient)
                continue;
            parameter.mul_(shrink);
            var state = (State)_state[parameter.Handle];
            state.max_exp_avg_sq = update.Apply(parameter, gradient, ++state.step, rate, state.exp_avg, state.exp_avg_sq,
                state.max_exp_avg_sq);
        }
    }, closure)!;
}
