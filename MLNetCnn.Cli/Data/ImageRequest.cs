using MLNetCnn.Estimators;

namespace MLNetCnn.Cli.Data;

/// <summary>
/// How a command wants a data set's images: the column to put them in and, for image files, their size and what
/// to do with unreadable ones. Records every file it left out.
/// </summary>
/// <param name="column">The column the network reads.</param>
/// <param name="width">Image files are resized to this width.</param>
/// <param name="height">Image files are resized to this height.</param>
/// <param name="skipUnreadable">Leave unreadable image files out (true) or stop with an error naming the file (false).</param>
/// <param name="maxImagePixels">Image files larger than this many pixels count as unreadable.</param>
internal sealed class ImageRequest(string column, int width, int height, bool skipUnreadable, long maxImagePixels = ImageFileOptions.DefaultMaxImagePixels)
{
    private readonly List<UnreadableImage> _skipped = [];

    /// <summary>The column the network reads.</summary>
    public string Column => column;

    /// <summary>The image files left out so far.</summary>
    public IReadOnlyList<UnreadableImage> Skipped => _skipped;

    /// <summary>Loader options for image files, recording what is skipped.</summary>
    public ImageFileOptions ImageFileOptions() => new()
    {
        ImageWidth = width,
        ImageHeight = height,
        ImageColumnName = column,
        SkipUnreadableImages = skipUnreadable,
        MaxImagePixels = maxImagePixels,
        OnImageSkipped = _skipped.Add,
    };
}
