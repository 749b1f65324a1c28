using System.Diagnostics;
using System.Globalization;

namespace MLNetCnn.Benchmarks.Machine;

/// <summary>
/// A process's memory from <c>/proc/{pid}/status</c>, in bytes: its peak resident set (VmHWM, as <c>/usr/bin/time -v</c>
/// reports it), and the current resident set split into anonymous memory (heaps, tensors) and mapped files (code, and the
/// pages of a memory-mapped cache, which the page cache could drop at any time).
/// </summary>
internal readonly record struct ProcessMemory(long PeakResident, long Resident, long Anonymous, long FileBacked)
{
    /// <summary>The memory of process <paramref name="pid"/> (<c>self</c> for this one); null once it has ended.</summary>
    public static ProcessMemory? Read(string pid = "self")
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        long Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal)) is { } line
            ? long.Parse(line[(name.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024
            : 0;
        return new ProcessMemory(Field("VmHWM"), Field("VmRSS"), Field("RssAnon"), Field("RssFile") + Field("RssShmem"));
    }

    /// <summary>The largest of each figure over the samples.</summary>
    public static ProcessMemory Max(IEnumerable<ProcessMemory> samples) => samples.Aggregate(default(ProcessMemory), (a, b) =>
        new(Math.Max(a.PeakResident, b.PeakResident), Math.Max(a.Resident, b.Resident), Math.Max(a.Anonymous, b.Anonymous), Math.Max(a.FileBacked, b.FileBacked)));

    /// <summary>
    /// Runs <paramref name="start"/> to its end, sampling its memory every <paramref name="interval"/>; returns its exit code,
    /// standard output and error, and the largest of each figure (the peak as last seen, at most one interval before it ended).
    /// </summary>
    public static (int ExitCode, string Output, string Error, ProcessMemory Largest, TimeSpan Elapsed) RunSampled(ProcessStartInfo start, TimeSpan interval)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var largest = default(ProcessMemory);
        string pid = process.Id.ToString(CultureInfo.InvariantCulture);
        while (!process.WaitForExit(interval))
        {
            if (Read(pid) is { } sample)
                largest = Max([largest, sample]);
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result, largest, clock.Elapsed);
    }
}
