using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>Makes a convolution unit (a convolution and what follows it) as a named <see cref="Sequential"/>.</summary>
/// <param name="inChannels">Input channels.</param>
/// <param name="outChannels">Output channels.</param>
/// <param name="kernelSize">Side of the square kernel.</param>
/// <param name="stride">Stride of the convolution.</param>
/// <param name="padding">Zero padding on each side.</param>
public delegate Sequential ConvUnit(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0);

/// <summary>A convolution followed by a ReLU, named <c>conv</c> and <c>relu</c> as torchvision names its convolution units.</summary>
public static class ConvRelu
{
    /// <summary>Creates the unit.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Side of the square kernel.</param>
    /// <param name="stride">Stride of the convolution.</param>
    /// <param name="padding">Zero padding on each side.</param>
    public static Sequential Create(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0) =>
        nn.Sequential(
            ("conv", nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding)),
            ("relu", nn.ReLU(inplace: true)));
}
