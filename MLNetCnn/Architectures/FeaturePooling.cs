using MLNetCnn.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Architectures;

/// <summary>
/// The average pool between the last feature map and the first fully connected layer of VGG and AlexNet: to the paper's
/// map side either adaptively, up or down, as torchvision's does (option <see cref="Option"/> = 1), so that fc6 has the
/// same shape at every input size and torchvision's weights load at any size; or only down (0), so that fc6 reads
/// whatever smaller map a small image leaves (512 inputs for VGG at 32x32 instead of 25,088).
/// </summary>
internal static class FeaturePooling
{
    /// <summary>The option's name.</summary>
    public const string Option = "adaptive_pool";

    /// <summary>The pool for a last feature map of <paramref name="height"/> x <paramref name="width"/>, and the side it pools
    /// to.</summary>
    /// <param name="spec">Holds the option.</param>
    /// <param name="architecture">Names the architecture in an error.</param>
    /// <param name="adaptiveByDefault">The option's value when the spec does not set it.</param>
    /// <param name="paperSide">The side of the paper's last map at its input size (7 for VGG, 6 for AlexNet).</param>
    /// <param name="height">The last feature map's height.</param>
    /// <param name="width">The last feature map's width.</param>
    public static (AdaptiveAvgPool2d Pool, int Height, int Width) Create(ModelSpec spec, string architecture, bool adaptiveByDefault, int paperSide, int height, int width)
    {
        bool adaptive = spec.IntegerOption(architecture, Option, adaptiveByDefault ? 1 : 0, 0, 1) == 1;
        int pooledHeight = adaptive ? paperSide : Math.Min(paperSide, height);
        int pooledWidth = adaptive ? paperSide : Math.Min(paperSide, width);
        return (nn.AdaptiveAvgPool2d((pooledHeight, pooledWidth)), pooledHeight, pooledWidth);
    }
}
