using Microsoft.ML;
using MLNetCnn.Data;

namespace MLNetCnn.Estimators;

/// <summary>Reads the pixel statistics of an image column over every row, to fit stages whose parameters come from the data.</summary>
internal static class ImageStatisticsReader
{
    public static PixelStatistics Read(IDataView data, ImageColumnBinding binding)
    {
        var statistics = new PixelStatistics(binding.Shape.Channels);
        var image = new float[binding.Shape.Size];
        using var cursor = data.GetRowCursor([binding.Column]);
        var read = binding.CreateReader(cursor);
        while (cursor.MoveNext())
        {
            read(image);
            statistics.Add(image, binding.Shape);
        }
        if (statistics.PixelCount == 0)
            throw new ArgumentException($"Column '{binding.Column.Name}' has no rows to fit the stage on.");
        return statistics;
    }
}
