namespace MLNetCnn.Explanations;

/// <summary>How a <see cref="HeatMap"/> was computed.</summary>
public enum ExplanationMethod
{
    /// <summary>
    /// Grad-CAM (Selvaraju et al., 2017): a layer's feature maps weighted by the mean gradient of the class score over each map,
    /// summed and kept where positive; coarse (the layer's resolution, upsampled) but class-discriminative.
    /// </summary>
    GradCam,

    /// <summary>
    /// Gradient saliency (Simonyan, Vedaldi and Zisserman, 2013): the largest absolute gradient of the class score over the
    /// channels of each input pixel; sharp but noisy.
    /// </summary>
    Saliency,
}

/// <summary>
/// Where in an image a network found the evidence for one class: one value per input pixel, from 0 (none) to 1 (the
/// strongest), with the network's class probabilities for the image. Made by <see cref="CnnModel.Explain"/>.
/// </summary>
/// <param name="Method">How it was computed.</param>
/// <param name="Layer">The layer whose feature maps Grad-CAM weighted; null for saliency.</param>
/// <param name="ClassIndex">The class explained.</param>
/// <param name="Height">The image height: rows of <paramref name="Values"/>.</param>
/// <param name="Width">The image width: columns of <paramref name="Values"/>.</param>
/// <param name="Values">Height x Width values from 0 to 1, row by row from the top; all 0 when nothing spoke for the class.</param>
/// <param name="Probabilities">The network's probability of every class for the image.</param>
public sealed record HeatMap(ExplanationMethod Method, string? Layer, int ClassIndex, int Height, int Width, float[] Values,
    float[] Probabilities)
{
    /// <summary>The classes from the most probable down, at most <paramref name="count"/> of them.</summary>
    public IReadOnlyList<int> TopClasses(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return [.. Enumerable.Range(0, Probabilities.Length).OrderByDescending(i => Probabilities[i]).Take(count)];
    }

    /// <summary>The share of the map's total heat inside a rectangle of pixels (0 when the map is all 0).</summary>
    /// <param name="top">The rectangle's first row.</param>
    /// <param name="left">The rectangle's first column.</param>
    /// <param name="height">Its rows.</param>
    /// <param name="width">Its columns.</param>
    public double ShareIn(int top, int left, int height, int width)
    {
        if (top < 0 || left < 0 || height < 0 || width < 0 || top + height > Height || left + width > Width)
        {
            throw new ArgumentOutOfRangeException(nameof(top),
                $"The rectangle {width}x{height} at ({left}, {top}) is not inside the {Width}x{Height} map.");
        }
        double total = Values.Sum(v => (double)v), inside = 0;
        for (int y = top; y < top + height; y++)
        {
            for (int x = left; x < left + width; x++)
                inside += Values[y * Width + x];
        }
        return total > 0 ? inside / total : 0;
    }
}

/// <summary>
/// What one layer of a network outputs for one image (the batch dimension dropped), as <see cref="CnnModel.LayerOutput"/>
/// captures it; feature maps have the shape (channels, height, width).
/// </summary>
/// <param name="Layer">The layer's dotted name, as in <c>named_modules()</c>.</param>
/// <param name="Shape">The output's shape without the batch dimension.</param>
/// <param name="Values">The output's values in row-major order.</param>
public sealed record LayerActivations(string Layer, IReadOnlyList<long> Shape, float[] Values)
{
    /// <summary>Whether the output is feature maps: (channels, height, width).</summary>
    public bool IsFeatureMaps => Shape.Count == 3;
}
