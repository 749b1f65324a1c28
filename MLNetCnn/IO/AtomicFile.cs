using System.Globalization;
using MLNetCnn.Runtime;

namespace MLNetCnn.IO;

/// <summary>
/// Writes files so that readers only ever see the old content or the complete new content: the data goes
/// to a temporary file in the same folder, is flushed to disk, and then replaces the target in one rename.
/// A failure or cancellation part-way leaves the target untouched and removes the temporary file. A process
/// killed part-way cannot remove its temporary file (<c>.NAME.PID.ID.tmp</c> beside the target); the next write
/// of the same target removes those whose process is no longer running.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> atomically with what <paramref name="write"/> puts in the stream.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        RemoveAbandonedTemporaryFiles(fullPath);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = CreateTemporary(temporary, fullPath))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static FileStream CreateTemporary(string temporary, string target)
    {
        try
        {
            return new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException($"Cannot write '{target}': its folder does not allow new files (access denied).", e);
        }
    }

    // Only files whose writer has ended: a live process (this one included) may be writing the target now.
    private static void RemoveAbandonedTemporaryFiles(string fullPath)
    {
        string prefix = $".{Path.GetFileName(fullPath)}.";
        var abandoned = Directory.EnumerateFiles(Path.GetDirectoryName(fullPath)!, $"{prefix}*.tmp")
            .Where(file => WriterProcess(Path.GetFileName(file), prefix) is { } pid && !Processes.IsRunning(pid))
            .ToList();
        foreach (var file in abandoned)
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another writer may be removing it too; it is not ours to insist on.
            }
        }
    }

    private static int? WriterProcess(string fileName, string prefix)
    {
        var parts = fileName[prefix.Length..].Split('.');
        return parts.Length == 3 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }
}
