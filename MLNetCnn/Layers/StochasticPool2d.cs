using MLNetCnn.Export;
using MLNetCnn.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>
/// Stochastic pooling (Zeiler and Fergus, "Stochastic pooling for regularization of deep convolutional
/// neural networks", 2013). Within each pooling window the activations, normalised to sum to one, are the
/// probabilities of a multinomial distribution: in training the layer outputs the activation at a location
/// drawn from it (so gradients flow to that location only), in evaluation the probability-weighted average
/// <c>sum(a²) / sum(a)</c>. Windows whose activations are all zero output zero.
/// </summary>
/// <remarks>
/// The activations must be non-negative, as they are after a ReLU; negative values are treated as zero.
/// Sampling draws from libtorch's global generator, so <c>torch.manual_seed</c> makes it repeatable.
/// </remarks>
public sealed class StochasticPool2d : nn.Module<Tensor, Tensor>, IExportableModule
{
    private readonly long kernelSize;
    private readonly long stride;

    /// <summary>Creates the layer.</summary>
    /// <param name="kernelSize">The side of the square pooling window.</param>
    /// <param name="stride">The step between windows; by default the window side (non-overlapping windows).</param>
    public StochasticPool2d(long kernelSize, long? stride = null) : base(nameof(StochasticPool2d))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kernelSize, 1);
        this.kernelSize = kernelSize;
        this.stride = stride ?? kernelSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(this.stride, 1, nameof(stride));
        RegisterComponents();
    }

    /// <summary>Pools an (N, C, H, W) batch to (N, C, H', W') with the window and stride of the layer.</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4)
            throw new ArgumentException($"{nameof(StochasticPool2d)} takes (N, C, H, W) input; got shape [{string.Join(", ", input.shape)}].", nameof(input));
        if (input.shape[2] < kernelSize || input.shape[3] < kernelSize)
            throw new ArgumentException($"A {kernelSize}x{kernelSize} stochastic pooling window does not fit a {input.shape[2]}x{input.shape[3]} input.", nameof(input));
        long n = input.shape[0], channels = input.shape[1];
        long outHeight = (input.shape[2] - kernelSize) / stride + 1;
        long outWidth = (input.shape[3] - kernelSize) / stride + 1;
        using var scope = NewDisposeScope();
        // (N, C*k*k, L) -> (N, C, k*k, L): one column of k*k activations per window.
        var windows = nn.functional.unfold(input.relu(), kernelSize, stride: stride).view(n, channels, kernelSize * kernelSize, -1);
        var sums = windows.sum(2, keepdim: true);
        Tensor pooled;
        if (training)
        {
            var rows = windows.permute(0, 1, 3, 2).reshape(-1, kernelSize * kernelSize);
            var rowSums = rows.sum(1, keepdim: true);
            // An all-zero window has nothing to choose from: any location gives its zero.
            var shares = rows.detach() / rowSums.detach().clamp_min(Scalars.SmallestDenominator);
            var probabilities = where(rowSums.gt(Scalars.Zero), shares, ones_like(rows));
            var picked = probabilities.multinomial(1);
            pooled = rows.gather(1, picked);
        }
        else
        {
            pooled = windows.pow(Scalars.Two).sum(2, keepdim: true) / sums.clamp_min(Scalars.SmallestDenominator);
        }
        return pooled.reshape(n, channels, outHeight, outWidth).MoveToOuterDisposeScope();
    }

    /// <summary>The evaluation-mode pooling, <c>sum(a²) / sum(a)</c> per window, which the window means give as well.</summary>
    string IExportableModule.Export(GraphBuilder graph, string input)
    {
        var activations = graph.Relu(input);
        string Mean(string values) => graph.Node("AveragePool", [values],
            [GraphAttribute.Ints("kernel_shape", [kernelSize, kernelSize]), GraphAttribute.Ints("strides", [stride, stride])]);
        var squares = Mean(graph.Node("Mul", [activations, activations]));
        var sums = graph.Node("Max", [Mean(activations), graph.Constant("smallest", 1e-12 / (kernelSize * kernelSize))]);
        return graph.Node("Div", [squares, sums]);
    }
}
