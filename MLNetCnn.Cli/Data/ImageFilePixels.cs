using Microsoft.ML;
using MLNetCnn.Estimators;

namespace MLNetCnn.Cli.Data;

/// <summary>Image files read one by one into CHW pixels exactly as a saved classifier reads them (size, grey or RGB).</summary>
internal static class ImageFilePixels
{
    private const string PathColumn = "ImagePath";

    /// <summary>
    /// The given files and the image files under the given folders, with their pixels, streamed: one image in memory at a time.
    /// Unreadable files stop the reading or are skipped and recorded in <paramref name="request"/>, as it says.
    /// </summary>
    public static IEnumerable<(string Path, float[] Pixels)> Read(MLContext mlContext, CnnClassificationTransformer classifier, IEnumerable<string> paths,
        ImageRequest request)
    {
        var options = request.ImageFileOptions();
        options.PathColumnName = PathColumn;
        var data = mlContext.Data.LoadImageFiles(paths, options);
        var binding = ImageColumnBinding.Bind(data.Schema, classifier.FeatureColumnName, classifier.Model.Spec.Input);
        using var cursor = data.GetRowCursor([data.Schema[PathColumn], binding.Column]);
        var path = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema[PathColumn]);
        var read = binding.CreateReader(cursor);
        ReadOnlyMemory<char> file = default;
        while (cursor.MoveNext())
        {
            var pixels = new float[binding.Shape.Size];
            read(pixels);
            path(ref file);
            yield return (file.ToString(), pixels);
        }
    }
}
