using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetCnn.Benchmarks.Probes;
using MLNetCnn.Benchmarks.Reports;
using MLNetCnn.Runtime;
using static MLNetCnn.Benchmarks.Reports.BenchmarkReport;

namespace MLNetCnn.Benchmarks;

/// <summary>
/// Where TorchSharp's page faults come from, and what keeping freed memory buys: training LeNet-5 and ResNet-18 with
/// glibc's defaults, with only the trim threshold raised, with only the mmap threshold raised, with both (as
/// GLIBC_TUNABLES and as <see cref="NativeMemoryTuning.KeepFreedMemory"/> from inside the process), and PyTorch with
/// and without them. Every setting runs in a fresh child process, also in smoke runs (then
/// LeNet-5 with the defaults and with KeepFreedMemory only).
/// </summary>
internal static class MallocBenchmark
{
    private static readonly string[] Models = ["lenet5", "resnet18"];

    public static void Run(BenchmarkSettings settings, BenchmarkReport report)
    {
        var host = settings.Host();
        string trimOnly = $"glibc.malloc.trim_threshold={NativeMemoryTuning.TrimThreshold}";
        string mmapOnly = $"glibc.malloc.mmap_threshold={NativeMemoryTuning.MmapThreshold}";
        var variants = new (string Name, Func<ProbeRequest, ProbeResult> Run)[]
        {
            ("TorchSharp, glibc defaults", r => host.RunDotNet(r, glibcTunables: "")),
            ($"TorchSharp, GLIBC_TUNABLES={trimOnly}", r => host.RunDotNet(r, trimOnly)),
            ($"TorchSharp, GLIBC_TUNABLES={mmapOnly}", r => host.RunDotNet(r, mmapOnly)),
            ("TorchSharp, GLIBC_TUNABLES with both", r => host.RunDotNet(r, ProbeHost.GlibcTunables)),
            ("TorchSharp, NativeMemoryTuning.KeepFreedMemory()", r => host.RunDotNet(r with { Malloc = MallocMode.Tuned }, glibcTunables: "")),
            ("PyTorch, glibc defaults", r => host.RunPyTorch(r)),
            ("PyTorch, GLIBC_TUNABLES with both", r => host.RunPyTorch(r, ProbeHost.GlibcTunables)),
        };
        var lines = new List<string>
        {
            $"Training with the engine (PyTorch: its loop), batch {settings.BatchSize}, {settings.Threads} threads, median of {settings.Repeats} runs; " +
            "faults, kernel and user time per step over the timed runs; peak resident memory of the process.",
            "",
        };
        lines.AddRange(Header("Model", "Setting", "Images/s", "Minor faults/step", "Kernel ms/step", "User ms/step", "Peak RSS MiB", "Load"));
        var json = new JsonArray();
        foreach (var model in settings.Smoke ? Models[..1] : Models)
        {
            var request = settings.Request(settings.WorkloadFor(model), ProbeTask.Train, MallocMode.Default) with { EngineOnly = true };
            foreach (var (name, run) in variants)
            {
                bool pyTorch = name.StartsWith("PyTorch", StringComparison.Ordinal);
                if ((pyTorch && settings.Python is null) || (settings.Smoke && name.Contains("GLIBC_TUNABLES", StringComparison.Ordinal)))
                    continue;
                var result = run(request);
                string way = result.TrainImagesPerSecond.ContainsKey(TrainingProbe.Engine) ? TrainingProbe.Engine : "pytorch";
                lines.Add(Row(model, name, Statistics.Median(result.TrainImagesPerSecond[way]), result.MinorFaultsPerStep[way],
                    result.SystemSecondsPerStep[way] * 1000, result.UserSecondsPerStep[way] * 1000, result.PeakResidentBytes / (1024.0 * 1024),
                    Machine.MachineLoad.Now().OneMinute));
                json.Add(new JsonObject { ["model"] = model, ["setting"] = name, ["result"] = JsonSerializer.SerializeToNode(result, ProbeHost.Json) });
            }
        }
        report.Add("malloc", "malloc settings", lines, json);
    }
}
