using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetCnn.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// The image input of a CNN in an <see cref="IDataView"/>: either an <see cref="MLImage"/> column (from
/// <c>LoadImages</c>/<c>ResizeImages</c>) or a known-size vector of <see cref="float"/> holding CHW pixels
/// (from <c>ExtractPixels</c> or the library's readers). Checks the column once and reads rows into CHW floats.
/// </summary>
internal sealed class ImageColumnBinding
{
    private readonly bool _isImage;

    private ImageColumnBinding(DataViewSchema.Column column, ImageShape shape, bool isImage)
    {
        Column = column;
        Shape = shape;
        _isImage = isImage;
    }

    /// <summary>The bound column.</summary>
    public DataViewSchema.Column Column { get; }

    /// <summary>The shape of every image the column yields.</summary>
    public ImageShape Shape { get; }

    /// <summary>Whether the column holds <see cref="MLImage"/>s (read as RGB or grey) rather than pixel vectors.</summary>
    public bool IsImage => _isImage;

    /// <summary>
    /// Binds a column, deriving the image shape from its type and <paramref name="requested"/>
    /// (zero dimensions there mean "from the column"); throws an error naming the column on any mismatch.
    /// </summary>
    /// <param name="schema">The data's schema.</param>
    /// <param name="columnName">The image column.</param>
    /// <param name="requested">The shape asked for.</param>
    /// <param name="stage">The pipeline stage binding it, named in the error when the column is missing.</param>
    public static ImageColumnBinding Bind(DataViewSchema schema, string columnName, ImageShape requested, string stage = "Image input")
    {
        var column = schema.GetColumnOrNull(columnName)
            ?? throw SchemaErrors.MissingColumn(stage, "Image", columnName, schema.Where(c => !c.IsHidden).Select(c => c.Name));
        return column.Type switch
        {
            ImageDataViewType image => BindImage(column, image, requested),
            VectorDataViewType { ItemType: NumberDataViewType number } vector when number == NumberDataViewType.Single && vector.IsKnownSize
                => BindVector(column, vector, requested),
            _ => throw new ArgumentOutOfRangeException(nameof(columnName), columnName,
                $"Column '{columnName}' has type {column.Type}; a CNN needs an image column (LoadImages, ResizeImages) " +
                "or a known-size vector of Single holding CHW pixels (ExtractPixels)."),
        };
    }

    /// <summary>
    /// A reader for the current row of <paramref name="row"/>: fills a span of <see cref="ImageShape.Size"/>
    /// floats and throws an error naming the row and column when the value does not fit, holds a NaN or an
    /// infinity, or cannot be read.
    /// </summary>
    public Action<Span<float>> CreateReader(DataViewRow row) => _isImage ? ImageReader(row) : VectorReader(row);

    private static ImageColumnBinding BindImage(DataViewSchema.Column column, ImageDataViewType type, ImageShape requested)
    {
        int channels = requested.Channels == 0 ? 3 : requested.Channels;
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(requested), channels, $"Images in column '{column.Name}' can be read as 1 (grey) or 3 (RGB) channels, not {channels}.");
        int height = Pick(type.Height, requested.Height, "height", column.Name);
        int width = Pick(type.Width, requested.Width, "width", column.Name);
        if (height == 0 || width == 0)
            throw new ArgumentException($"Images in column '{column.Name}' have no fixed size: resize them with mlContext.Transforms.ResizeImages, or give the image height and width in the options.");
        return new ImageColumnBinding(column, new ImageShape(channels, height, width), isImage: true);
    }

    private static int Pick(int fromType, int requested, string what, string columnName)
    {
        if (fromType != 0 && requested != 0 && fromType != requested)
            throw new ArgumentException($"Images in column '{columnName}' have {what} {fromType}, but {requested} was asked for.");
        return fromType != 0 ? fromType : requested;
    }

    private static ImageColumnBinding BindVector(DataViewSchema.Column column, VectorDataViewType type, ImageShape requested)
    {
        var dims = type.Dimensions;
        ImageShape? fromType = dims.Length switch
        {
            3 => new ImageShape(dims[0], dims[1], dims[2]),
            2 => new ImageShape(1, dims[0], dims[1]),
            _ => null,
        };
        bool anyRequested = requested.Channels != 0 || requested.Height != 0 || requested.Width != 0;
        ImageShape shape;
        if (anyRequested)
        {
            shape = requested with
            {
                Channels = requested.Channels == 0 ? fromType?.Channels ?? 1 : requested.Channels,
                Height = requested.Height == 0 ? fromType?.Height ?? 0 : requested.Height,
                Width = requested.Width == 0 ? fromType?.Width ?? 0 : requested.Width,
            };
            if (fromType is { } typed && typed != shape)
                throw new ArgumentException($"Column '{column.Name}' holds images of shape {typed}, but {shape} was asked for.");
        }
        else
        {
            shape = fromType ?? throw new ArgumentException(
                $"Column '{column.Name}' holds flat vectors of {type.Size} values; give their channels, height and width in the options " +
                "(or produce the column with ExtractPixels, whose vectors carry their shape).");
        }
        shape.Validate($"column '{column.Name}'");
        if (shape.Size != type.Size)
            throw new ArgumentException($"Column '{column.Name}' holds vectors of {type.Size} values, but images of shape {shape} need {shape.Size}.");
        return new ImageColumnBinding(column, shape, isImage: false);
    }

    private Action<Span<float>> VectorReader(DataViewRow row)
    {
        var getter = row.GetGetter<VBuffer<float>>(Column);
        VBuffer<float> value = default;
        return destination =>
        {
            getter(ref value);
            if (value.Length != Shape.Size)
                throw new InvalidOperationException($"Row {row.Position}: column '{Column.Name}' holds {value.Length} values, expected {Shape.Size}.");
            value.CopyTo(destination);
            int bad = destination.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
            if (bad >= 0)
                throw new InvalidOperationException($"Row {row.Position}: column '{Column.Name}' holds a non-finite value ({destination[bad]}) at index {bad}.");
        };
    }

    private Action<Span<float>> ImageReader(DataViewRow row)
    {
        var getter = row.GetGetter<MLImage>(Column);
        MLImage image = null!;
        return destination =>
        {
            try
            {
                getter(ref image);
            }
            catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"Row {row.Position}: the image in column '{Column.Name}' cannot be read: {e.Message} " +
                    "(mlContext.Data.LoadImageFolder, LoadImageList and LoadImageFiles check every file when loading and name or skip unreadable ones.)", e);
            }
            if (image is null)
                throw new InvalidOperationException($"Row {row.Position}: column '{Column.Name}' holds no image (was the file missing or unreadable?).");
            if (image.Height != Shape.Height || image.Width != Shape.Width)
                throw new InvalidOperationException($"Row {row.Position}: the image in column '{Column.Name}' is {image.Width}x{image.Height} (width x height), expected {Shape.Width}x{Shape.Height}; resize images with mlContext.Transforms.ResizeImages.");
            CopyPixels(image, destination);
        };
    }

    private void CopyPixels(MLImage image, Span<float> destination)
    {
        var pixels = image.Pixels;
        int plane = Shape.Height * Shape.Width;
        int stride = pixels.Length / Shape.Height;
        var (red, green, blue) = image.PixelFormat == MLPixelFormat.Rgba32 ? (0, 1, 2) : (2, 1, 0);
        for (int y = 0; y < Shape.Height; y++)
        {
            var line = pixels.Slice(y * stride, Shape.Width * 4);
            for (int x = 0; x < Shape.Width; x++)
            {
                int i = y * Shape.Width + x;
                var pixel = line.Slice(x * 4, 4);
                if (Shape.Channels == 1)
                {
                    destination[i] = 0.299f * pixel[red] + 0.587f * pixel[green] + 0.114f * pixel[blue];
                }
                else
                {
                    destination[i] = pixel[red];
                    destination[plane + i] = pixel[green];
                    destination[2 * plane + i] = pixel[blue];
                }
            }
        }
    }
}
