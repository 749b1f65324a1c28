using MLNetCnn.Runtime;

namespace MLNetCnn.Data;

/// <summary>
/// Temporary folders for record files (<c>mlnetcnn-cache-{process id}-{unique}</c> in the temporary folder), which their
/// user deletes when done. A process that is killed cannot, and a cache can take gigabytes: creating a folder first
/// deletes the folders of processes that have ended.
/// </summary>
public static class TemporaryRecordFolder
{
    /// <summary>The start of every such folder's name; the owning process's id follows.</summary>
    public const string Prefix = "mlnetcnn-cache-";

    /// <summary>Deletes the folders left by ended processes and creates a new, empty folder for this one.</summary>
    /// <returns>The full path of the new folder.</returns>
    public static string Create()
    {
        DeleteAbandoned();
        return Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
    }

    /// <summary>Deletes the folders of processes that have ended; returns how many.</summary>
    public static int DeleteAbandoned() => Processes.DeleteAbandonedFolders(Path.GetTempPath(), Prefix);
}
