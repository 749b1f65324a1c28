using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Visualization;

/// <summary>
/// Draws convolution kernels as a grid of small images, like the learned first-layer kernels figure of
/// Krizhevsky, Sutskever and Hinton (2012). Each kernel is scaled on its own from its lowest to its highest
/// weight; kernels over three input channels are drawn in colour (red, green, blue), any other number in
/// grey (the mean over channels).
/// </summary>
public static class KernelGrid
{
    /// <summary>The kernels of the model's first convolution: the first <c>Conv2d</c> in registration order, depth first.</summary>
    /// <param name="model">Any model; its network must hold a <c>Conv2d</c>.</param>
    /// <param name="pixelsPerWeight">The side of the square drawn for one weight; 0 picks one so tiles are about 40 pixels.</param>
    /// <exception cref="ArgumentException">The network has no <c>Conv2d</c>.</exception>
    public static RgbImage FirstLayer(CnnModel model, int pixelsPerWeight = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        var convolution = Convolutions(model.Network).FirstOrDefault()
            ?? throw new ArgumentException($"The '{model.Architecture}' network has no Conv2d layer to draw.", nameof(model));
        return Render(convolution.weight, pixelsPerWeight);
    }

    /// <summary>Draws a convolution weight of shape (kernels, input channels, height, width).</summary>
    /// <param name="weight">The weight tensor, on any device.</param>
    /// <param name="pixelsPerWeight">The side of the square drawn for one weight; 0 picks one so tiles are about 40 pixels.</param>
    public static RgbImage Render(Tensor weight, int pixelsPerWeight = 0)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.dim() != 4)
            throw new ArgumentException($"A convolution weight has 4 dimensions (kernels, channels, height, width); this one has shape [{string.Join(", ", weight.shape)}].", nameof(weight));
        int kernels = (int)weight.shape[0], channels = (int)weight.shape[1], height = (int)weight.shape[2], width = (int)weight.shape[3];
        var grid = new TileGrid(kernels, height, width, pixelsPerWeight);

        float[] values;
        using (no_grad())
        using (var cpu = weight.detach().to(ScalarType.Float32).cpu())
            values = cpu.data<float>().ToArray();
        int kernelSize = channels * height * width;
        int plane = height * width;
        for (int k = 0; k < kernels; k++)
        {
            var kernel = values.AsSpan(k * kernelSize, kernelSize);
            var shown = channels == 3 ? kernel : MeanOverChannels(kernel, channels, plane);
            var (min, max) = TileGrid.Range(shown);
            for (int i = 0; i < plane; i++)
            {
                byte r = TileGrid.Level(shown[i], min, max);
                var (g, b) = channels == 3 ? (TileGrid.Level(shown[plane + i], min, max), TileGrid.Level(shown[2 * plane + i], min, max)) : (r, r);
                grid.Set(k, i % width, i / width, r, g, b);
            }
        }
        return grid.Image;
    }

    private static IEnumerable<Conv2d> Convolutions(nn.Module module)
    {
        foreach (var (_, child) in module.named_children())
        {
            if (child is Conv2d convolution)
                yield return convolution;
            foreach (var nested in Convolutions(child))
                yield return nested;
        }
    }

    private static float[] MeanOverChannels(ReadOnlySpan<float> kernel, int channels, int plane)
    {
        var means = new float[plane];
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < plane; i++)
                means[i] += kernel[c * plane + i] / channels;
        }
        return means;
    }
}
