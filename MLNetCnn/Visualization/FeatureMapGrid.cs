using MLNetCnn.Explanations;

namespace MLNetCnn.Visualization;

/// <summary>
/// Draws a layer's feature maps for one image as a grid of grey tiles, one per channel, each scaled on its own from its
/// lowest (black) to its highest (white) activation: what the layer "sees", as Zeiler and Fergus (2014) looked at it.
/// </summary>
public static class FeatureMapGrid
{
    /// <summary>The feature maps of a layer's output for one image (see <see cref="CnnModel.LayerOutput"/>).</summary>
    /// <param name="activations">A layer's output of shape (channels, height, width).</param>
    /// <param name="pixelsPerValue">The side of the square drawn for one activation; 0 picks one so tiles are about 40 pixels.</param>
    /// <exception cref="ArgumentException">The output is not feature maps; the message names the layer and its shape.</exception>
    public static RgbImage Render(LayerActivations activations, int pixelsPerValue = 0)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (!activations.IsFeatureMaps)
        {
            throw new ArgumentException($"The layer '{activations.Layer}' outputs shape [{string.Join(", ", activations.Shape)}], not feature maps " +
                "(channels, height, width).", nameof(activations));
        }
        int channels = (int)activations.Shape[0], height = (int)activations.Shape[1], width = (int)activations.Shape[2];
        var grid = new TileGrid(channels, height, width, pixelsPerValue);
        int plane = height * width;
        for (int c = 0; c < channels; c++)
        {
            var map = activations.Values.AsSpan(c * plane, plane);
            var (min, max) = TileGrid.Range(map);
            for (int i = 0; i < plane; i++)
            {
                byte level = TileGrid.Level(map[i], min, max);
                grid.Set(c, i % width, i / width, level, level, level);
            }
        }
        return grid.Image;
    }
}
