using System.Globalization;

namespace MLNetCnn.Tests;

/// <summary>This test process's memory as the kernel counts it (<c>/proc/self/status</c>, Linux).</summary>
internal static class ProcessStatus
{
    /// <summary>A field of the status file given in kB, such as <c>RssAnon</c> or <c>RssFile</c>, in bytes.</summary>
    public static long Bytes(string field) =>
        1024 * long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
