using Microsoft.ML;

namespace MLNetCnn.Estimators;

/// <summary>
/// Finds the image files under folders without ever following a link into a cycle or reading a file twice. Links to
/// files are followed; links to folders are followed only when given as a starting folder (a class folder may be a
/// link), never below it, since a link such as <c>cat/loop -&gt; ..</c> would otherwise walk the data again under
/// another label. A file reached twice (through a link, or named twice) is listed once, where it is met first.
/// </summary>
internal sealed class ImageFolderWalk
{
    private readonly HashSet<string> _seenFiles = new(PathComparer);

    private static StringComparer PathComparer => OperatingSystem.IsWindows() || OperatingSystem.IsMacOS()
        ? StringComparer.OrdinalIgnoreCase
        : StringComparer.Ordinal;

    /// <summary>The image files under <paramref name="folder"/> not listed before by this walk, in ordinal order.</summary>
    public IReadOnlyList<string> ImagesUnder(string folder)
    {
        var files = new List<string>();
        var pending = new Stack<string>([Path.GetFullPath(folder)]);
        while (pending.Count > 0)
        {
            string current = pending.Pop();
            foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo directory)
                {
                    if (directory.LinkTarget is null)
                        pending.Push(directory.FullName);
                }
                else if (IsImageFile(entry.FullName))
                {
                    files.Add(entry.FullName);
                }
            }
        }
        files.Sort(StringComparer.Ordinal);
        return [.. files.Where(TakeOnce)];
    }

    /// <summary>Whether <paramref name="file"/> is met for the first time (by its real path); records it.</summary>
    public bool TakeOnce(string file) => _seenFiles.Add(RealPath(file));

    /// <summary>Whether the file's extension is one of <see cref="ImageFileCatalog.ImageExtensions"/>.</summary>
    public static bool IsImageFile(string path) =>
        ImageFileCatalog.ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>The path with every link along it resolved, so two names of one file compare equal.</summary>
    internal static string RealPath(string path, int depth = 0)
    {
        if (depth > 40)
            throw new IOException($"Too many levels of links resolving '{path}'.");
        string full = Path.GetFullPath(path);
        string root = Path.GetPathRoot(full)!;
        string current = root;
        foreach (var part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
            if (info.LinkTarget is { } target)
                current = RealPath(Path.GetFullPath(target, Path.GetDirectoryName(current)!), depth + 1);
        }
        return current;
    }
}
