using MLNetCnn.Architectures;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// Mixed-precision training without autocast (which TorchSharp 0.107 lacks): a 16-bit copy of the model's network
/// computes the forward and backward passes, its gradients are moved (unscaled) onto the model's float32
/// parameters, which stay the master weights the optimizer updates, and the updated weights are copied back
/// (Micikevicius et al., 2018). Float16 adds dynamic loss scaling; bfloat16 needs none.
/// </summary>
internal sealed class MixedPrecisionNetwork : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _network;
    private readonly (Parameter Master, Parameter Copy)[] _parameters;
    private readonly (Tensor Master, Tensor Copy)[] _buffers;

    public MixedPrecisionNetwork(CnnModel model, MixedPrecision precision)
    {
        Precision = precision switch
        {
            MixedPrecision.BFloat16 => ScalarType.BFloat16,
            MixedPrecision.Float16 => ScalarType.Float16,
            _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "Mixed precision needs BFloat16 or Float16."),
        };
        Scaler = precision == MixedPrecision.Float16 ? new LossScaler() : null;
        _network = ModelZoo.Create(model.Architecture, model.Spec);
        _network.to(model.Device);
        _network.to(Precision);
        _network.train();
        var copies = _network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        _parameters = [.. model.Network.named_parameters().Select(p => (p.parameter, copies[p.name]))];
        var copyBuffers = _network.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        _buffers = [.. model.Network.named_buffers().Select(b => (b.buffer, copyBuffers[b.name]))];
        CopyFromMaster();
    }

    /// <summary>The 16-bit type of the passes.</summary>
    public ScalarType Precision { get; }

    /// <summary>The loss scaler of float16 training; null for bfloat16.</summary>
    public LossScaler? Scaler { get; }

    /// <summary>The 16-bit network, for hooks such as <see cref="IAuxiliaryLoss"/>.</summary>
    public nn.Module Network => _network;

    /// <summary>Float32 logits of a float32 batch, computed in 16 bits.</summary>
    public Tensor Forward(Tensor input)
    {
        using var reduced = input.to(Precision);
        using var logits = _network.forward(reduced);
        return logits.to(ScalarType.Float32);
    }

    /// <summary>Back-propagates the loss, multiplied by the loss scale for float16.</summary>
    public void Backward(Tensor loss)
    {
        _network.zero_grad();
        if (Scaler is null)
        {
            loss.backward();
            return;
        }
        using var scale = Scaler.Scale.ToScalar();
        using var scaled = loss.mul(scale);
        scaled.backward();
    }

    /// <summary>
    /// Sets the model's gradients to the 16-bit network's, unscaled and in float32; returns whether they are finite
    /// (always true for bfloat16, whose range is float32's).
    /// </summary>
    public bool MoveGradientsToMaster()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var unscale = (1 / (Scaler?.Scale ?? 1)).ToScalar();
        foreach (var (master, copy) in _parameters)
        {
            if (copy.grad is not { } gradient)
                continue;
            var value = gradient.to(ScalarType.Float32).mul_(unscale);
            if (master.grad is { } existing)
                existing.copy_(value);
            else
                master.grad = value;
        }
        return Scaler is null || LossScaler.GradientsAreFinite(_parameters.Select(p => p.Master));
    }

    /// <summary>After the optimizer's step (or its skipping): updates the loss scale and copies the weights over.</summary>
    public void AfterStep(bool gradientsWereFinite)
    {
        Scaler?.Update(gradientsWereFinite);
        using var noGrad = no_grad();
        CopyWeightsFromMaster();
        foreach (var (master, copy) in _buffers)
            master.copy_(copy);
    }

    /// <summary>Copies the model's weights and buffers into the 16-bit network, as after loading a checkpoint.</summary>
    public void CopyFromMaster()
    {
        using var noGrad = no_grad();
        CopyWeightsFromMaster();
        foreach (var (master, copy) in _buffers)
            copy.copy_(master);
    }

    public void Dispose() => _network.Dispose();

    private void CopyWeightsFromMaster()
    {
        using var noGrad = no_grad();
        foreach (var (master, copy) in _parameters)
            copy.copy_(master);
    }
}
