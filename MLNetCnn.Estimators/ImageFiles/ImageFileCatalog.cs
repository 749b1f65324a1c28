using MLNetCnn;
using MLNetCnn.Estimators;
using Microsoft.ML.Data;

// In ML.NET's namespace, as ML.NET's own packages put their catalog extensions: no extra using for mlContext.X.
namespace Microsoft.ML;

/// <summary>
/// Loads image files into ML.NET through its own <c>LoadImages</c> and <c>ResizeImages</c>: a folder with one
/// subfolder per class, a CSV/TSV list of path and label, or plain files to score. Images of any size and
/// format that ML.NET decodes (PNG, JPEG, BMP, GIF, WebP), grey or colour, are resized to one size; a CNN reads
/// them as grey or RGB (<see cref="CnnClassificationTrainer.Options.ImageChannels"/>). Every file is checked
/// once when loading, so an unreadable one is reported by name (or skipped, when asked) instead of failing
/// a pass over the data later.
/// </summary>
public static class ImageFileCatalog
{
    /// <summary>The file extensions read as images.</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>
    /// The images under <paramref name="path"/>, one subfolder per class named after it (images may sit
    /// deeper inside a class folder), resized to <paramref name="imageWidth"/> x <paramref name="imageHeight"/>.
    /// Columns: <c>Label</c> (text), <c>ImagePath</c> and <c>Image</c>. Links to folders below a class folder are not
    /// followed (a link back up would read the data again under another label); a file reached twice is read once.
    /// </summary>
    public static IDataView LoadImageFolder(this DataOperationsCatalog catalog, string path, int imageWidth, int imageHeight) =>
        catalog.LoadImageFolder(path, new ImageFileOptions { ImageWidth = imageWidth, ImageHeight = imageHeight });

    /// <summary>The images under <paramref name="path"/>, one subfolder per class, with all options.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No class subfolder holds images, or a file is unreadable and skipping is off.</exception>
    public static IDataView LoadImageFolder(this DataOperationsCatalog catalog, string path, ImageFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Load(catalog, ImageFileList.FromFolder(path), options);
    }

    /// <summary>
    /// The images a CSV or TSV file lists, one per line as <c>path,label</c> (relative paths start at the list's
    /// folder; the first line is a header when its first field neither ends in an image extension nor names an existing file; fields may be
    /// quoted; a <c>.tsv</c> file or a first line with a tab is read tab-separated). Columns as
    /// <see cref="LoadImageFolder(DataOperationsCatalog, string, ImageFileOptions)"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The list does not exist.</exception>
    /// <exception cref="InvalidDataException">A line has no label, or a file is unreadable and skipping is off.</exception>
    public static IDataView LoadImageList(this DataOperationsCatalog catalog, string path, ImageFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Load(catalog, ImageFileList.FromTable(catalog, path), options);
    }

    /// <summary>
    /// Unlabelled images to score: the given files, and the image files under the given folders, in that order.
    /// Columns: <c>ImagePath</c> and <c>Image</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">A path is neither a file nor a folder.</exception>
    public static IDataView LoadImageFiles(this DataOperationsCatalog catalog, IEnumerable<string> paths, ImageFileOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Load(catalog, ImageFileList.FromPaths(paths), options);
    }

    private static IDataView Load(DataOperationsCatalog catalog, ImageFileList files, ImageFileOptions options)
    {
        var readable = files.Readable(options.SkipUnreadableImages, options.MaxImagePixels, options.OnImageSkipped,
            MLNetCnn.Estimators.DecodeWorkers.Resolve(options.DecodeWorkers));
        IDataView listed = readable.HasLabels
            ? catalog.LoadFromEnumerable(readable.Entries.Select(e => new LabelledFile { ImagePath = e.Path, Label = e.Label! }),
                Definition<LabelledFile>(options, withLabel: true))
            : catalog.LoadFromEnumerable(readable.Entries.Select(e => new UnlabelledFile { ImagePath = e.Path }),
                Definition<UnlabelledFile>(options, withLabel: false));
        // ML.NET makes its image stages only through an MLContext's catalogs, which a DataOperationsCatalog does
        // not reach; the stages hold no state, so a context of their own serves.
        var images = new MLContext();
        var pipeline = images.Transforms.LoadImages(options.ImageColumnName, imageFolder: null, options.PathColumnName)
            .Append(images.Transforms.ResizeImages(options.ImageColumnName, options.ImageWidth, options.ImageHeight, resizing: options.Resizing));
        return pipeline.Fit(listed).Transform(listed);
    }

    private static SchemaDefinition Definition<T>(ImageFileOptions options, bool withLabel)
    {
        var definition = SchemaDefinition.Create(typeof(T));
        definition[nameof(LabelledFile.ImagePath)].ColumnName = options.PathColumnName;
        if (withLabel)
            definition[nameof(LabelledFile.Label)].ColumnName = options.LabelColumnName;
        return definition;
    }

    private sealed class LabelledFile
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private sealed class UnlabelledFile
    {
        public string ImagePath { get; set; } = "";
    }
}
