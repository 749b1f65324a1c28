namespace MLNetCnn.Cli.Reports;

/// <summary>Checks on a run folder (<c>--output</c>) made before any work, so a long run is never thrown away at its end.</summary>
internal static class RunFolder
{
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
}
