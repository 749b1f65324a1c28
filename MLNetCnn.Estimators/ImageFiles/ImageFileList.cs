using Microsoft.ML;
using Microsoft.ML.Data;
using SkiaSharp;

namespace MLNetCnn.Estimators;

/// <summary>Image files with their labels (or none), as a folder, a list file or plain paths name them.</summary>
internal sealed class ImageFileList
{
    private ImageFileList(IReadOnlyList<(string Path, string? Label)> entries, bool hasLabels)
    {
        Entries = entries;
        HasLabels = hasLabels;
    }

    /// <summary>Each file's full path and label (null when unlabelled).</summary>
    public IReadOnlyList<(string Path, string? Label)> Entries { get; }

    /// <summary>Whether the files carry labels.</summary>
    public bool HasLabels { get; }

    /// <summary>The images in each class subfolder of <paramref name="folder"/>, classes in ordinal order.</summary>
    public static ImageFileList FromFolder(string folder)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Image folder '{folder}' does not exist.");
        var entries = new List<(string, string?)>();
        var walk = new ImageFolderWalk();
        foreach (var classFolder in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
        {
            string label = Path.GetFileName(classFolder);
            entries.AddRange(walk.ImagesUnder(classFolder).Select(file => (file, (string?)label)));
        }
        if (entries.Count == 0)
        {
            throw new InvalidDataException(
                $"Image folder '{folder}' has no class subfolders with images ({string.Join(", ", ImageFileCatalog.ImageExtensions)}): " +
                "put each class's images in a subfolder named after the class.");
        }
        return new ImageFileList(entries, hasLabels: true);
    }

    /// <summary>The files and labels a CSV or TSV list names (see <see cref="ImageFileCatalog.LoadImageList"/>).</summary>
    public static ImageFileList FromTable(DataOperationsCatalog catalog, string listPath)
    {
        if (!File.Exists(listPath))
            throw new FileNotFoundException($"Image list '{listPath}' does not exist.", listPath);
        string? firstLine = File.ReadLines(listPath).FirstOrDefault(line => line.Trim().Length > 0)
            ?? throw new InvalidDataException($"Image list '{listPath}' is empty.");
        char separator = Path.GetExtension(listPath).Equals(".tsv", StringComparison.OrdinalIgnoreCase) || firstLine.Contains('\t') ? '\t' : ',';
        string firstField = firstLine.Split(separator)[0].Trim().Trim('"');
        string baseFolder = Path.GetDirectoryName(Path.GetFullPath(listPath))!;
        // A first field naming an existing file is a row even without an image extension (files may have none).
        bool hasHeader = !ImageFolderWalk.IsImageFile(firstField) && !File.Exists(Path.GetFullPath(firstField, baseFolder));
        var loader = catalog.CreateTextLoader(new TextLoader.Options
        {
            Separators = [separator],
            HasHeader = hasHeader,
            AllowQuoting = true,
            TrimWhitespace = true,
            Columns =
            [
                new TextLoader.Column("Path", DataKind.String, 0),
                new TextLoader.Column("Label", DataKind.String, 1),
            ],
        });
        var entries = new List<(string, string?)>();
        var rows = loader.Load(listPath);
        using (var cursor = rows.GetRowCursor(rows.Schema))
        {
            var path = cursor.GetGetter<ReadOnlyMemory<char>>(rows.Schema["Path"]);
            var label = cursor.GetGetter<ReadOnlyMemory<char>>(rows.Schema["Label"]);
            ReadOnlyMemory<char> pathValue = default, labelValue = default;
            while (cursor.MoveNext())
            {
                path(ref pathValue);
                label(ref labelValue);
                if (pathValue.IsEmpty || labelValue.IsEmpty)
                    throw new InvalidDataException($"Row {cursor.Position + 1} of image list '{listPath}' needs an image path and a label, separated by '{(separator == '\t' ? "\\t" : ",")}'.");
                entries.Add((Path.GetFullPath(pathValue.ToString(), baseFolder), labelValue.ToString()));
            }
        }
        if (entries.Count == 0)
            throw new InvalidDataException($"Image list '{listPath}' lists no images.");
        return new ImageFileList(entries, hasLabels: true);
    }

    /// <summary>The given files, and the image files under the given folders, unlabelled.</summary>
    public static ImageFileList FromPaths(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var entries = new List<(string, string?)>();
        var walk = new ImageFolderWalk();
        foreach (var path in paths)
        {
            if (File.Exists(path))
            {
                if (walk.TakeOnce(path))
                    entries.Add((Path.GetFullPath(path), null));
            }
            else if (Directory.Exists(path))
                entries.AddRange(walk.ImagesUnder(path).Select(file => (file, (string?)null)));
            else
                throw new FileNotFoundException($"Image file or folder '{path}' does not exist.", path);
        }
        if (entries.Count == 0)
            throw new InvalidDataException("No image files were given.");
        return new ImageFileList(entries, hasLabels: false);
    }

    /// <summary>
    /// The entries whose files read and decode, checked by <paramref name="workers"/> threads. An unreadable file throws an
    /// error naming it (the first in order), or, when <paramref name="skip"/> is true, is left out and passed to
    /// <paramref name="onSkipped"/>, in order.
    /// </summary>
    public ImageFileList Readable(bool skip, long maxPixels, Action<UnreadableImage>? onSkipped, int workers = 1)
    {
        var problems = new string?[Entries.Count];
        // One pixel buffer per worker: a new array per image would leave gigabytes of large-object garbage for the GC on a large folder.
        Parallel.For(0, Entries.Count, new ParallelOptions { MaxDegreeOfParallelism = workers }, () => Array.Empty<byte>(), (i, _, pixels) =>
        {
            problems[i] = Problem(Entries[i].Path, maxPixels, ref pixels);
            return pixels;
        }, _ => { });
        var readable = new List<(string, string?)>(Entries.Count);
        for (int i = 0; i < Entries.Count; i++)
        {
            var entry = Entries[i];
            if (problems[i] is not { } reason)
            {
                readable.Add(entry);
                continue;
            }
            if (!skip)
                throw new InvalidDataException($"Image '{entry.Path}' cannot be used: {reason}. Remove it, or skip unreadable images (ImageFileOptions.SkipUnreadableImages; --skip-unreadable on the command line).");
            onSkipped?.Invoke(new UnreadableImage(entry.Path, reason));
        }
        if (readable.Count == 0)
            throw new InvalidDataException($"None of the {Entries.Count} image files could be read.");
        return new ImageFileList(readable, HasLabels);
    }

    private static string? Problem(string path, long maxPixels, ref byte[] pixels)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
        if (bytes.Length == 0)
            return "the file is empty";
        // ML.NET's LoadImages decodes with SkiaSharp too, but takes whatever part of a cut-off file decodes; the
        // codec's result tells a complete image from a truncated one.
        using var codec = SKCodec.Create(new MemoryStream(bytes));
        if (codec is null)
            return "the file is not an image ML.NET can decode (PNG, JPEG, BMP, GIF or WebP)";
        // The header's size, before decoding: a small file may declare an image that decodes to gigabytes.
        var (width, height) = (codec.Info.Width, codec.Info.Height);
        if ((long)width * height > maxPixels)
            return $"the image is {width}x{height} = {(long)width * height:N0} pixels, more than the limit of {maxPixels:N0} (ImageFileOptions.MaxImagePixels; --max-image-pixels on the command line)";
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        if (info.BytesSize64 > Array.MaxLength)
            return $"the image is {width}x{height} pixels, too large to decode";
        if (pixels.Length < info.BytesSize64)
            pixels = new byte[info.BytesSize64];
        return codec.GetPixels(info, pixels) switch
        {
            SKCodecResult.Success => null,
            SKCodecResult.IncompleteInput => "the file is truncated",
            var result => $"the image data is damaged ({result})",
        };
    }
}
