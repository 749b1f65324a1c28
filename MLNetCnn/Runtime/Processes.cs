using System.Diagnostics;

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
}
