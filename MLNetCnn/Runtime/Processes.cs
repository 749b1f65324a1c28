using System.Diagnostics;
using System.Globalization;

namespace MLNetCnn.Runtime;

/// <summary>Questions about other processes of this machine.</summary>
internal static class Processes
{
    /// <summary>Whether the process <paramref name="pid"/> exists and has not exited.</summary>
    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes the folders in <paramref name="parent"/> named <c>{prefix}{process id}</c> or <c>{prefix}{process id}-...</c>
    /// whose process has ended (a process that was killed could not delete its own); returns how many it deleted.
    /// Folders of live processes, this one included, and folders it may not delete are left alone.
    /// </summary>
    public static int DeleteAbandonedFolders(string parent, string prefix)
    {
        if (!Directory.Exists(parent))
            return 0;
        int deleted = 0;
        foreach (var folder in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            string rest = Path.GetFileName(folder)[prefix.Length..];
            int end = rest.IndexOf('-');
            if (!int.TryParse(end < 0 ? rest : rest[..end], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) || IsRunning(pid))
                continue;
            try
            {
                Directory.Delete(folder, recursive: true);
                deleted++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another process may be removing it too, or it belongs to another user: not ours to insist on.
            }
        }
        return deleted;
    }
}
