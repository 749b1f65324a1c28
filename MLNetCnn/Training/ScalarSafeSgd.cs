using MLNetCnn.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// TorchSharp's <see cref="SGD"/> with scalar arguments that live through their native calls, as <see cref="ScalarSafeAdam"/>
/// is to <see cref="Adam"/>: the same arithmetic and state (momentum buffer, dampening, Nesterov, weight decay).
/// </summary>
internal sealed class ScalarSafeSgd(
    IEnumerable<SGD.ParamGroup> groups, double learningRate, double momentum, double weightDecay, bool nesterov)
    : SGD(groups, learningRate, momentum, weight_decay: weightDecay, nesterov: nesterov)
{
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        double momentumFactor = options.momentum!.Value, decay = options.weight_decay!.Value, rate = options.LearningRate!.Value;
        using var decayScalar = decay.ToScalar();
        using var momentumScalar = momentumFactor.ToScalar();
        using var newShare = (1 - options.dampening!.Value).ToScalar();
        using var stepScalar = (options.maximize!.Value ? rate : -rate).ToScalar();
        foreach (var parameter in group.Parameters)
        {
            if (parameter.grad is not { } gradient)
                continue;
            var state = (State)_state[parameter.Handle];
            if (decay != 0)
                gradient = gradient.add(parameter, decayScalar);
            if (momentumFactor != 0)
            {
                var buffer = state.momentum_buffer;
                if (buffer is null)
                    state.momentum_buffer = buffer = gradient.clone().detach().DetachFromDisposeScope();
                else
                    buffer.mul_(momentumScalar).add_(gradient, newShare);
                gradient = options.nesterov!.Value ? gradient.add(buffer, momentumScalar) : buffer;
            }
            parameter.add_(gradient, stepScalar);
        }
    }, closure)!;
}
