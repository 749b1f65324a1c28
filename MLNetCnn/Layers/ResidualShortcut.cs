using MLNetCnn.Export;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>The shortcuts of residual blocks whose output shape differs from their input's (He et al. 2016, section 3.3).</summary>
public static class ResidualShortcut
{
    /// <summary>Option B: a strided 1x1 convolution and batch normalisation (torchvision's <c>downsample.0</c>,
    /// <c>downsample.1</c>).</summary>
    /// <param name="inChannels">The block's input channels.</param>
    /// <param name="outChannels">The block's output channels.</param>
    /// <param name="stride">The block's stride.</param>
    public static nn.Module<Tensor, Tensor> Projection(long inChannels, long outChannels, long stride) =>
        nn.Sequential(nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false), nn.BatchNorm2d(outChannels));

    /// <summary>Option A: the identity, subsampled by the stride and padded with zero channels; it has no parameters.</summary>
    /// <param name="inChannels">The block's input channels.</param>
    /// <param name="outChannels">The block's output channels (at least the input's).</param>
    /// <param name="stride">The block's stride.</param>
    public static nn.Module<Tensor, Tensor> ZeroPaddedIdentity(long inChannels, long outChannels, long stride) =>
        new ZeroPaddingShortcut(outChannels - inChannels, stride);

    /// <summary>Throws when a block whose output shape differs from its input's has no shortcut to match them.</summary>
    internal static void Check(long inChannels, long outChannels, long stride, nn.Module<Tensor, Tensor>? downsample)
    {
        if (downsample is null && (stride != 1 || inChannels != outChannels))
            throw new ArgumentException($"A residual block from {inChannels} to {outChannels} channels with stride {stride} needs a downsample shortcut.", nameof(downsample));
    }

    private sealed class ZeroPaddingShortcut : nn.Module<Tensor, Tensor>, IExportableModule
    {
        private readonly long extraChannels;
        private readonly long stride;

        public ZeroPaddingShortcut(long extraChannels, long stride) : base(nameof(ZeroPaddingShortcut))
        {
            ArgumentOutOfRangeException.ThrowIfNegative(extraChannels);
            this.extraChannels = extraChannels;
            this.stride = stride;
            RegisterComponents();
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var every = TensorIndex.Slice(step: stride);
            var subsampled = input[TensorIndex.Colon, TensorIndex.Colon, every, every];
            return nn.functional.pad(subsampled, [0, 0, 0, 0, 0, extraChannels]).MoveToOuterDisposeScope();
        }

        public string Export(GraphBuilder graph, string input)
        {
            var subsampled = graph.Node("Slice", [input, graph.Constant("starts", [0, 0]), graph.Constant("ends", [long.MaxValue, long.MaxValue]),
                graph.Constant("axes", [2, 3]), graph.Constant("steps", [stride, stride])]);
            // ONNX pads list every dimension's start, then every dimension's end: here the end of the channels.
            return graph.Node("Pad", [subsampled, graph.Constant("pads", [0, 0, 0, 0, 0, extraChannels, 0, 0])]);
        }
    }
}
