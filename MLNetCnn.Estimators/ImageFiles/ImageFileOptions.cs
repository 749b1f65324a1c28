using Microsoft.ML;
using Microsoft.ML.Transforms.Image;

namespace MLNetCnn.Estimators;

/// <summary>How <see cref="ImageFileCatalog"/> loads image files into a data view.</summary>
public sealed class ImageFileOptions
{
    /// <summary>The width every image is resized to (the network's input width).</summary>
    public int ImageWidth;

    /// <summary>The height every image is resized to (the network's input height).</summary>
    public int ImageHeight;

    /// <summary>How images of another aspect ratio are fitted: ML.NET's default crops the centre after scaling.</summary>
    public ImageResizingEstimator.ResizingKind Resizing = ImageResizingEstimator.ResizingKind.IsoCrop;

    /// <summary>The output column of resized images.</summary>
    public string ImageColumnName = CnnColumnNames.Image;

    /// <summary>The output column of text labels (the class folder's name or the list's label field).</summary>
    public string LabelColumnName = CnnColumnNames.Label;

    /// <summary>The output column of each image's full path.</summary>
    public string PathColumnName = "ImagePath";

    /// <summary>
    /// What to do with a file that cannot be read or decoded: false stops with an error naming it; true leaves
    /// it out and reports it to <see cref="OnImageSkipped"/>.
    /// </summary>
    public bool SkipUnreadableImages;

    /// <summary>
    /// The largest image, in pixels (width x height, read from the file's header before decoding), that is read: a guard
    /// against decompression bombs, such as a PNG of a few hundred kilobytes that decodes to gigabytes. A larger image
    /// counts as unreadable (see <see cref="SkipUnreadableImages"/>). The default is Pillow's error threshold.
    /// </summary>
    public long MaxImagePixels = DefaultMaxImagePixels;

    /// <summary>The default <see cref="MaxImagePixels"/>: 178,956,970 pixels (about 13,400 x 13,400), as Pillow refuses.</summary>
    public const long DefaultMaxImagePixels = 178_956_970;

    /// <summary>
    /// Threads that check the files when loading (each is read and decoded once, so a damaged one is named before training);
    /// the files are still reported in order. 0, the default, takes one per core, at most <see cref="DecodeWorkers.MaxAutomatic"/>.
    /// </summary>
    public int DecodeWorkers;

    /// <summary>Called for every file left out when <see cref="SkipUnreadableImages"/> is true.</summary>
    public Action<UnreadableImage>? OnImageSkipped;

    internal void Validate()
    {
        if (ImageWidth < 1 || ImageHeight < 1)
            throw new ArgumentOutOfRangeException(nameof(ImageWidth), $"Images are resized to the network's input, so ImageWidth and ImageHeight must be positive; they are {ImageWidth} and {ImageHeight}.");
        if (DecodeWorkers < 0)
            throw new ArgumentOutOfRangeException(nameof(DecodeWorkers), DecodeWorkers, "DecodeWorkers must be zero (one per core) or positive.");
        if (MaxImagePixels < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxImagePixels), MaxImagePixels, "MaxImagePixels must be positive.");
        foreach (var (name, value) in new[] { (nameof(ImageColumnName), ImageColumnName), (nameof(LabelColumnName), LabelColumnName), (nameof(PathColumnName), PathColumnName) })
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"{name} must name a column.", name);
        }
    }
}

/// <summary>An image file that could not be read or decoded.</summary>
/// <param name="Path">The file.</param>
/// <param name="Reason">Why it could not be used.</param>
public sealed record UnreadableImage(string Path, string Reason)
{
    /// <summary>The file and the reason, for logs and consoles.</summary>
    public override string ToString() => $"'{Path}': {Reason}";
}
