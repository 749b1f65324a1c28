using MLNetCnn.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// TorchSharp's <see cref="Adam"/>, step for step the same arithmetic, with scalar arguments that live through their native
/// calls: TorchSharp 0.107's own step converts eight numbers per parameter into scalars it leaves to the finaliser
/// (<see cref="Scalars"/>), so a collection started by any other thread during training could corrupt an update.
/// Its state and <c>state_dict</c> are TorchSharp's, so checkpoints load either way.
/// </summary>
internal sealed class ScalarSafeAdam(IEnumerable<Adam.ParamGroup> groups, double learningRate, double weightDecay)
    : Adam(groups, learningRate, weight_decay: weightDecay)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = (Options)group.Options;
        double decay = options.weight_decay!.Value;
        using var update = AdamUpdate.For(options);
        using var decayScalar = decay.ToScalar();
        foreach (var parameter in group.Parameters)
        {
            if (update.GradientOf(parameter) is not { } gradient)
                continue;
            if (decay != 0)
                gradient = gradient.add(parameter, decayScalar);
            var state = (State)_state[parameter.Handle];
            state.max_exp_avg_sq = update.Apply(parameter, gradient, ++state.step, options.LearningRate!.Value, state.exp_avg,
                state.exp_avg_sq, state.max_exp_avg_sq);
        }
    }, closure)!;
}
