using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetCnn.Runtime;
using TorchSharp;

namespace MLNetCnn.Benchmarks.Probes;

/// <summary>
/// Runs probes: in this process, in a fresh child process of this program (so each malloc setting and each model
/// starts from a clean heap), or in the PyTorch peer script.
/// </summary>
internal sealed class ProbeHost(string pythonPath, bool inProcess)
{
    /// <summary>The name of the probe command of this program.</summary>
    public const string ProbeCommand = "probe";

    /// <summary>The PyTorch peer script, next to this program.</summary>
    public static string PeerScript => Path.Combine(AppContext.BaseDirectory, "pytorch", "peer.py");

    /// <summary>The glibc settings <see cref="NativeMemoryTuning"/> makes, as an environment variable for processes that cannot call
    /// it.</summary>
    public static string GlibcTunables => $"glibc.malloc.mmap_threshold={NativeMemoryTuning.MmapThreshold}:glibc.malloc.trim_threshold={NativeMemoryTuning.TrimThreshold}";

    /// <summary>The environment variable glibc reads its tunables from.</summary>
    public const string GlibcTunablesVariable = "GLIBC_TUNABLES";

    public static JsonSerializerOptions Json { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// <see cref="Json"/> for reading requests: a key that names no field (<c>Architecture</c> for <c>architecture</c>) is an
    /// error naming it, not a default run in its place.
    /// </summary>
    public static JsonSerializerOptions RequestJson { get; } = new(Json) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow };

    /// <summary>
    /// Runs a .NET probe, in this process when the host was made so and no <paramref name="glibcTunables"/> are given,
    /// else as a child process with those tunables.
    /// </summary>
    public ProbeResult RunDotNet(ProbeRequest request, string? glibcTunables = null)
    {
        if (inProcess && glibcTunables is null)
            return RunHere(request, applyMalloc: false);
        var start = SelfStart();
        start.ArgumentList.Add(ProbeCommand);
        start.ArgumentList.Add(JsonSerializer.Serialize(request, Json));
        if (glibcTunables is not null)
            start.Environment[GlibcTunablesVariable] = glibcTunables;
        return RunChild(start, request);
    }

    /// <summary>Runs the PyTorch peer script on the same request; a tuned request gets <see cref="GlibcTunables"/>.</summary>
    public ProbeResult RunPyTorch(ProbeRequest request, string? glibcTunables = null)
    {
        var start = new ProcessStartInfo(pythonPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(PeerScript);
        start.ArgumentList.Add(JsonSerializer.Serialize(request, Json));
        start.Environment.Remove(GlibcTunablesVariable);
        if ((glibcTunables ?? (request.Malloc == MallocMode.Tuned ? GlibcTunables : null)) is { } tunables)
            start.Environment[GlibcTunablesVariable] = tunables;
        return RunChild(start, request);
    }

    /// <summary>Runs a probe in this process; in a child process, first sets malloc as the request says.</summary>
    public static ProbeResult RunHere(ProbeRequest request, bool applyMalloc)
    {
        if (applyMalloc && request.Malloc == MallocMode.Tuned && NativeMemoryTuning.KeepFreedMemory() != NativeMemoryTuningResult.Applied)
            throw new InvalidOperationException("The tuned malloc setting could not be applied in this process.");
        torch.set_num_threads(request.Threads);
        return request.Task switch
        {
            ProbeTask.Train => TrainingProbe.Run(request),
            ProbeTask.Score => ScoringProbe.Run(request),
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Task, null),
        };
    }

    /// <summary>Starts this program again: through <c>dotnet</c> when it runs as a .dll, else its own executable.</summary>
    public static ProcessStartInfo SelfStart()
    {
        string assembly = typeof(ProbeHost).Assembly.Location;
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
            start.ArgumentList.Add(assembly);
        start.Environment.Remove(GlibcTunablesVariable);
        return start;
    }

    private static ProbeResult RunChild(ProcessStartInfo start, ProbeRequest request)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"The {request.Task} probe of {request.Architecture} ({start.FileName}) failed with exit code {process.ExitCode}: {error.Result.Trim()}");
        string json = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()
            ?? throw new InvalidOperationException($"The {request.Task} probe of {request.Architecture} printed nothing.");
        return JsonSerializer.Deserialize<ProbeResult>(json, Json)
            ?? throw new InvalidOperationException($"The {request.Task} probe of {request.Architecture} printed no result: {json}");
    }
}
