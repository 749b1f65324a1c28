using MLNetCnn.Augmentation;
using MLNetCnn.Data;

namespace MLNetCnn.Export;

/// <summary>
/// The views of <see cref="TestTimeAugmenter"/> as graph operators: the image, its mirror image, or AlexNet's ten
/// crops (four corners and centre, then their mirror images) of images whose height and width are only known when the
/// graph runs, stacked along the batch, and the mean of their class probabilities.
/// </summary>
internal static class TestTimeAugmentationGraph
{
    /// <summary>The shape of one input image: the network's, or with ten crops any height and width (-1) of at least the
    /// network's.</summary>
    public static long[] InputShape(TestTimeAugmentation mode, ImageShape networkInput) => mode == TestTimeAugmentation.TenCrop
        ? [networkInput.Channels, -1, -1]
        : [networkInput.Channels, networkInput.Height, networkInput.Width];

    /// <summary>The views of a batch of (N, C, H, W) images, each (N, C, h, w) for the network, in <see cref="TestTimeAugmenter.Views"/>
    /// order.</summary>
    public static IReadOnlyList<string> Views(GraphBuilder graph, string images, TestTimeAugmentation mode, ImageShape networkInput) => mode switch
    {
        TestTimeAugmentation.None => [images],
        TestTimeAugmentation.HorizontalFlip => [images, Mirror(graph, images)],
        _ => TenCrops(graph, images, networkInput),
    };

    /// <summary>Stacks the views along the batch: (views x N, C, h, w).</summary>
    public static string Stack(GraphBuilder graph, IReadOnlyList<string> views) =>
        views.Count == 1 ? views[0] : graph.Node("Concat", views, [GraphAttribute.Int("axis", 0)]);

    /// <summary>The mean over the views of stacked (views x N, classes) probabilities, as <paramref name="output"/>.</summary>
    public static void Average(GraphBuilder graph, string probabilities, int viewCount, int classes, string output)
    {
        var perView = graph.Node("Reshape", [probabilities, graph.Constant("views", [viewCount, -1, classes])]);
        graph.Node("ReduceMean", [perView], [GraphAttribute.Ints("axes", [0]), GraphAttribute.Int("keepdims", 0)], output: output);
    }

    private static string Mirror(GraphBuilder graph, string images) => graph.Node("Slice",
        [images, graph.Constant("mirror_starts", [-1]), graph.Constant("mirror_ends", [long.MinValue]), graph.Constant("width_axis", [3]), graph.Constant("mirror_steps", [-1])]);

    /// <summary>The corners (0, 0), (0, right), (bottom, 0), (bottom, right) and centre (bottom / 2, right / 2), as <see
    /// cref="TestTimeAugmenter"/> places them.</summary>
    private static List<string> TenCrops(GraphBuilder graph, string images, ImageShape networkInput)
    {
        var size = graph.Constant("crop_size", [networkInput.Height, networkInput.Width]);
        var imageSize = graph.Node("Slice", [graph.Node("Shape", [images]), graph.Constant("height_axis", [2]), graph.Constant("end", [4])]);
        var margin = graph.Node("Sub", [imageSize, size]);
        string[] corners =
        [
            graph.Constant("top_left", [0, 0]),
            graph.Node("Mul", [margin, graph.Constant("right_only", [0, 1])]),
            graph.Node("Mul", [margin, graph.Constant("bottom_only", [1, 0])]),
            margin,
            graph.Node("Div", [margin, graph.Constant("halves", [2, 2])]),
        ];
        var spatialAxes = graph.Constant("spatial_axes", [2, 3]);
        var crops = corners.Select(corner => graph.Node("Slice", [images, corner, graph.Node("Add", [corner, size]), spatialAxes])).ToList();
        return [.. crops, .. crops.Select(crop => Mirror(graph, crop))];
    }
}
