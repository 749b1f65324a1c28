using MLNetCnn;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using Microsoft.ML.Data;

// In ML.NET's namespace, as ML.NET's own packages put their catalog extensions: no extra using for mlContext.X.
namespace Microsoft.ML;

/// <summary>Loads the library's image data sets into ML.NET.</summary>
public static class CnnDataCatalog
{
    /// <summary>
    /// The Fashion-MNIST subset embedded in the library (6,000 training or 1,000 test images, 28x28 grey),
    /// with a text <c>Label</c> (the class name) and a <c>Features</c> vector of shape 1x28x28.
    /// </summary>
    public static IDataView LoadFashionMnistSample(this DataOperationsCatalog catalog, DataSplit split) =>
        catalog.LoadFromImageDataset(FashionMnist.LoadEmbedded(split), FashionMnist.ClassNames);

    /// <summary>
    /// An in-memory <see cref="ImageDataset"/> as a data view: a text <c>Label</c> (the class name, or the
    /// class index when no names are given) and a <c>Features</c> vector whose type carries the CHW shape.
    /// </summary>
    public static IDataView LoadFromImageDataset(this DataOperationsCatalog catalog, ImageDataset data, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        if (classNames is not null && classNames.Count != data.ClassCount)
            throw new ArgumentException($"{classNames.Count} class names were given for {data.ClassCount} classes.", nameof(classNames));
        var definition = SchemaDefinition.Create(typeof(ImageRow));
        definition[nameof(ImageRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.Shape.Channels, data.Shape.Height, data.Shape.Width);
        var rows = Enumerable.Range(0, data.Count).Select(i => new ImageRow
        {
            Label = classNames?[data.Labels[i]] ?? data.Labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture),
            Features = data.Image(i).ToArray(),
        });
        return catalog.LoadFromEnumerable(rows, definition);
    }

    private sealed class ImageRow
    {
        public string Label { get; set; } = "";

        public float[] Features { get; set; } = [];
    }
}
