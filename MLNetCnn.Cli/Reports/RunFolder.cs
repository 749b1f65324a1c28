namespace MLNetCnn.Cli.Reports;

/// <summary>
/// A run folder (<c>--output</c>) written as a unit: checked before any work, so a long run is never thrown away at its
/// end; locked, so two runs cannot write it at once; filled in a sibling temporary folder that replaces it in a rename
/// at the end, so a killed run leaves the old folder or the new one, never a mix. An existing folder with files is
/// replaced only when the caller allows it (<c>--overwrite</c>).
/// </summary>
internal sealed class RunFolder : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _lockPath;
    private readonly string? _kept;
    private bool _committed;

    private RunFolder(string target, FileStream lockStream, string lockPath, string? kept)
    {
        Target = target;
        _lock = lockStream;
        _lockPath = lockPath;
        _kept = kept;
        Staging = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Staging);
    }

    /// <summary>The run folder's full path.</summary>
    public string Target { get; }

    /// <summary>The temporary folder to write the run's files into; it becomes <see cref="Target"/> at <see cref="Commit"/>.</summary>
    public string Staging { get; }

    /// <summary>
    /// Checks <paramref name="folder"/> and locks it for this run. <paramref name="kept"/> names a folder inside it that
    /// the run writes directly (checkpoints): it does not count as existing content and moves into the new folder.
    /// </summary>
    /// <exception cref="IOException">The folder is a file, cannot be written, holds files and <paramref name="overwrite"/> is false, or
    /// another run holds it.</exception>
    public static RunFolder Begin(string folder, bool overwrite, string? kept = null)
    {
        CheckWritable(folder);
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        string? keptFull = kept is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(kept));
        bool keptInside = keptFull is not null && keptFull.StartsWith(target + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (!overwrite && Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any(entry => !keptInside || !IsWithin(keptFull!, entry)))
            throw new IOException($"--output '{folder}' already holds files: give a new folder, or add --overwrite to replace it.");
        string parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        string lockPath = Path.Combine(parent, $".{Path.GetFileName(target)}.lock");
        FileStream lockStream;
        try
        {
            // FileShare.None is an exclusive advisory lock on Unix too; the kernel releases it when a killed process ends.
            lockStream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"Another run is writing --output '{folder}' (it holds '{lockPath}'): wait for it to end, or give another folder.", e);
        }
        foreach (var abandoned in Directory.EnumerateDirectories(parent, $".{Path.GetFileName(target)}.*.tmp"))
            Directory.Delete(abandoned, recursive: true);
        return new RunFolder(target, lockStream, lockPath, keptInside ? keptFull : null);
    }

    /// <summary>Replaces the run folder with the staged one (keeping the kept folder), in renames.</summary>
    public void Commit()
    {
        if (Directory.Exists(Target))
        {
            if (_kept is not null && Directory.Exists(_kept))
            {
                string keptStaged = Path.Combine(Staging, Path.GetRelativePath(Target, _kept));
                Directory.CreateDirectory(Path.GetDirectoryName(keptStaged)!);
                Directory.Move(_kept, keptStaged);
            }
            string old = Staging[..^".tmp".Length] + ".old";
            Directory.Move(Target, old);
            Directory.Move(Staging, Target);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(Staging, Target);
        }
        _committed = true;
    }

    /// <summary>Removes the staged files of a run that did not commit, and releases the lock.</summary>
    public void Dispose()
    {
        if (!_committed && Directory.Exists(Staging))
            Directory.Delete(Staging, recursive: true);
        File.Delete(_lockPath);
        _lock.Dispose();
    }

    /// <summary>
    /// Throws an error naming <paramref name="folder"/> when it is a file, sits below a file, or cannot be created or written.
    /// Creates nothing: the nearest existing folder on its path is probed with a temporary file.
    /// </summary>
    public static void CheckWritable(string folder)
    {
        string full = Path.GetFullPath(folder);
        if (File.Exists(full))
            throw new IOException($"--output '{folder}' is a file; give a folder for the model and the report.");
        string? existing = full;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing))
                throw new IOException($"--output '{folder}' cannot be created: '{existing}' is a file.");
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is null)
            return;
        string probe = Path.Combine(existing, $".mlnetcnn-write-test.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--output '{folder}' cannot be written: the folder '{existing}' refuses new files ({e.GetType().Name}).", e);
        }
    }

    private static bool IsWithin(string folder, string path) =>
        path == folder || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal) || folder.StartsWith(path + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
