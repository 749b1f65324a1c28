using MLNetCnn.Estimators;

namespace MLNetCnn.Cli.Data;

/// <summary>How a command wants a data set's images: the column to put them in and, for image files, their size.</summary>
/// <param name="Column">The column the network reads.</param>
/// <param name="Width">Image files are resized to this width.</param>
/// <param name="Height">Image files are resized to this height.</param>
/// <param name="SkipUnreadable">Leave unreadable image files out (true) or stop with an error naming the file (false).</param>
internal sealed record ImageRequest(string Column, int Width, int Height, bool SkipUnreadable)
{
    private readonly List<UnreadableImage> _skipped = [];

    /// <summary>The image files left out so far.</summary>
    public IReadOnlyList<UnreadableImage> Skipped => _skipped;

    /// <summary>Loader options for image files, recording what is skipped.</summary>
    public ImageFileOptions ImageFileOptions() => new()
    {
        ImageWidth = Width,
        ImageHeight = Height,
        ImageColumnName = Column,
        SkipUnreadableImages = SkipUnreadable,
        OnImageSkipped = _skipped.Add,
    };
}
