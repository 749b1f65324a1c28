using System.Runtime.CompilerServices;
using MLNetCnn.Data;
using MLNetCnn.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Export;

/// <summary>
/// Fused inference: a scoring copy of a network in which every batch normalisation that reads a convolution's output (and
/// nothing else reads it) is folded into that convolution. With <c>s = gamma / sqrt(var + eps)</c> per output channel,
/// <c>W' = W s</c> and <c>b' = (b - mean) s + beta</c>, so the convolution alone gives what both gave in evaluation mode.
/// The pairs come from the network's ONNX description (<see cref="IExportableModule"/>), which states the data flow; a
/// network that has none is scored unfused.
/// </summary>
internal static class BatchNormFolding
{
    private static readonly ConditionalWeakTable<BatchNorm, object> Folded = [];

    // The input a folded batch norm passes through, between its pre-hook and its post-hook on this thread.
    [ThreadStatic]
    private static Tensor? t_passed;

    /// <summary>Whether <paramref name="norm"/> was folded into the convolution before it (and so passes its input through).</summary>
    public static bool IsFolded(BatchNorm norm) => Folded.TryGetValue(norm, out _);

    /// <summary>
    /// A copy of <paramref name="network"/> (made by <paramref name="create"/>, with the network's weights) with its batch
    /// norms folded, in evaluation mode on <paramref name="device"/>; null when there is nothing to fold or the network does not
    /// describe its data flow. Takes the model's parts, so export stays below the model in the engine's layers.
    /// </summary>
    public static nn.Module<Tensor, Tensor>? FoldedCopy(nn.Module<Tensor, Tensor> network, Func<nn.Module<Tensor, Tensor>> create,
        string architecture, ModelSpec spec, Device device)
    {
        if (network is not IExportableModule || !network.modules().OfType<BatchNorm>().Any())
            return null;
        var copy = create();
        try
        {
            copy.to(device);
            using (no_grad())
            {
                var source = network.state_dict();
                foreach (var (name, target) in copy.state_dict())
                    target.copy_(source[name]);
            }
            copy.eval();
            var pairs = GraphBuilder.ConvolutionsIntoBatchNorm(copy, architecture, spec.Input, device);
            if (pairs is not { Count: > 0 })
            {
                copy.Dispose();
                return null;
            }
            foreach (var (convolution, norm) in pairs)
                Fold(convolution, norm);
            return copy;
        }
        catch
        {
            copy.Dispose();
            throw;
        }
    }

    private static void Fold(Conv2d convolution, BatchNorm norm)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // In float64, so that folding adds no rounding of its own beyond the final float32 values.
        var variance = norm.running_var!.to(ScalarType.Float64);
        var mean = norm.running_mean!.to(ScalarType.Float64);
        var gamma = norm.affine ? norm.weight!.to(ScalarType.Float64) : ones_like(variance);
        var beta = norm.affine && norm.bias is { } shift ? shift.to(ScalarType.Float64) : zeros_like(variance);
        using var epsilon = norm.eps.ToScalar();
        var scale = gamma / variance.add(epsilon, Scalars.One).sqrt();
        var weight = convolution.weight!;
        var bias = convolution.bias is { } b ? b.to(ScalarType.Float64) : zeros_like(variance);
        weight.copy_(weight.to(ScalarType.Float64) * scale.view(-1, 1, 1, 1));
        var folded = ((bias - mean) * scale).add(beta, Scalars.One).to(weight.dtype);
        if (convolution.bias is { } existing)
            existing.copy_(folded);
        else
            convolution.bias = new TorchSharp.Modules.Parameter(folded.detach().clone(), requires_grad: false);
        // TorchSharp cannot take a module out of a built network (readonly fields, Sequential has no setter): the folded batch
        // norm gets an empty batch to normalise and hands on its input instead.
        norm.register_forward_pre_hook((_, input) =>
        {
            t_passed = input;
            return input.narrow(0, 0, 0);
        });
        norm.register_forward_hook((_, _, _) =>
        {
            var input = t_passed ?? throw new InvalidOperationException("A folded batch norm ran without its input.");
            t_passed = null;
            return input.alias();
        });
        Folded.Add(norm, norm);
    }
}
