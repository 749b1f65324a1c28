using System.Globalization;
using MLNetCnn.Data;
using MLNetCnn.Explanations;
using MLNetCnn.Visualization;

namespace MLNetCnn.Plots;

/// <summary>
/// Draws an explained image: the image with its most probable classes under it, and beside it the image with the
/// <see cref="HeatMap"/> over it (<see cref="HeatMapOverlay"/>), captioned with the method, layer and class explained.
/// </summary>
public static class ExplanationFigure
{
    private const int TargetImageSide = 160;

    /// <summary>Draws <paramref name="image"/> and its heat map side by side.</summary>
    /// <param name="image">The explained image, CHW, 1 (grey) or 3 (RGB) channels.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="map">Its heat map, from <see cref="CnnModel.Explain"/>.</param>
    /// <param name="classNames">The model's class names, in class order.</param>
    /// <param name="top">How many of the most probable classes to list.</param>
    /// <param name="pixelScale">The value of a full-intensity pixel in <paramref name="image"/>: 255 for 8-bit images, 1 for 0..1.</param>
    /// <exception cref="ArgumentException">The class names do not match the map's classes, or the image does not fit the map.</exception>
    public static RgbImage Draw(ReadOnlySpan<float> image, ImageShape shape, HeatMap map, IReadOnlyList<string> classNames, int top = 3,
        float pixelScale = 255)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(classNames);
        if (classNames.Count != map.Probabilities.Length)
            throw new ArgumentException($"{classNames.Count} class names were given for a map of {map.Probabilities.Length} classes.", nameof(classNames));
        var culture = CultureInfo.InvariantCulture;
        var best = map.TopClasses(top).Select((c, rank) => string.Create(culture, $"{rank + 1}. {classNames[c]} {map.Probabilities[c]:P1}"));
        string method = map.Method == ExplanationMethod.GradCam ? $"Grad-CAM ({map.Layer})" : "Saliency";
        var colour = new ImageShape(3, shape.Height, shape.Width);
        var row = new GalleryRow(
            [HeatMapOverlay.Blend(image, shape, map, pixelScale, opacity: 0), HeatMapOverlay.Blend(image, shape, map, pixelScale)],
            Captions: [string.Join('\n', best), $"{method}\nfor {classNames[map.ClassIndex]}"]);
        int scale = Math.Clamp((int)Math.Round((double)TargetImageSide / Math.Max(shape.Height, shape.Width)), 1, 32);
        return ImageGallery.Draw([row], colour, scale);
    }
}
