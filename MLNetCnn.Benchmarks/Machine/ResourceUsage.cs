using System.Runtime.InteropServices;

namespace MLNetCnn.Benchmarks.Machine;

/// <summary>The process's CPU times and page faults (getrusage) and its resident memory (/proc/self/statm), on Linux.</summary>
internal readonly record struct ResourceUsage(double UserSeconds, double SystemSeconds, long MinorFaults, long MajorFaults)
{
    private const int RusageSelf = 0;

    /// <summary>The usage of the whole process so far.</summary>
    public static ResourceUsage Now()
    {
        if (!OperatingSystem.IsLinux() || getrusage(RusageSelf, out var usage) != 0)
            return default;
        return new ResourceUsage(usage.UserSeconds + usage.UserMicroseconds / 1e6, usage.SystemSeconds + usage.SystemMicroseconds / 1e6,
            usage.MinorFaults, usage.MajorFaults);
    }

    /// <summary>The usage between <paramref name="start"/> and this one.</summary>
    public ResourceUsage Since(ResourceUsage start) =>
        new(UserSeconds - start.UserSeconds, SystemSeconds - start.SystemSeconds, MinorFaults - start.MinorFaults, MajorFaults - start.MajorFaults);

    /// <summary>The largest resident memory of the process so far, in bytes (getrusage's ru_maxrss).</summary>
    public static long PeakResidentBytes() =>
        OperatingSystem.IsLinux() && getrusage(RusageSelf, out var usage) == 0 ? usage.MaxResidentKilobytes * 1024 : 0;

    /// <summary>Resident memory of the process in bytes (0 where /proc is not available).</summary>
    public static long ResidentBytes()
    {
        try
        {
            var fields = File.ReadAllText("/proc/self/statm").Split(' ');
            return long.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxResidentKilobytes;
        public long SharedMemory;
        public long UnsharedData;
        public long UnsharedStack;
        public long MinorFaults;
        public long MajorFaults;
        public long Swaps;
        public long BlockInputs;
        public long BlockOutputs;
        public long MessagesSent;
        public long MessagesReceived;
        public long Signals;
        public long VoluntarySwitches;
        public long InvoluntarySwitches;
    }

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);
}
