using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>
/// A convolution without bias, batch normalisation and a ReLU, named <c>conv</c>, <c>bn</c> and <c>relu</c>: torchvision's
/// <c>BasicConv2d</c>, the unit of its GoogLeNet and Inception v3.
/// </summary>
public static class ConvBatchNormRelu
{
    /// <summary>The epsilon of torchvision's <c>BasicConv2d</c> batch normalisation (the TensorFlow models' 0.001, not PyTorch's
    /// 1e-5).</summary>
    public const double TorchvisionEpsilon = 1e-3;

    /// <summary>Creates the unit with torchvision's epsilon.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Side of the square kernel.</param>
    /// <param name="stride">Stride of the convolution.</param>
    /// <param name="padding">Zero padding on each side.</param>
    public static Sequential Create(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0) =>
        nn.Sequential(
            ("conv", nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: false)),
            ("bn", nn.BatchNorm2d(outChannels, eps: TorchvisionEpsilon)),
            ("relu", nn.ReLU(inplace: true)));
}
