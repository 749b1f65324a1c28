using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetCnn.Benchmarks.Probes;
using MLNetCnn.Benchmarks.Reports;
using static MLNetCnn.Benchmarks.Reports.BenchmarkReport;

namespace MLNetCnn.Benchmarks;

/// <summary>
/// Training images/s of every workload three ways (raw engine, ML.NET pipeline, PyTorch), with glibc's default malloc
/// and with freed memory kept for reuse, and the ratios the targets are stated in. Each model and malloc setting runs
/// in its own process; the engine and the pipeline alternate run by run inside it.
/// </summary>
internal static class SpeedBenchmark
{
    private const double PipelineTarget = 0.95;
    private const double PyTorchTarget = 1.0;
    private const double LeNetPyTorchTarget = 1.4;

    public static void Run(BenchmarkSettings settings, BenchmarkReport report)
    {
        var host = settings.Host();
        var modes = settings.InProcess ? [MallocMode.Default] : new[] { MallocMode.Default, MallocMode.Tuned };
        var json = new JsonArray();
        var lines = new List<string>
        {
            $"Training, batch {settings.BatchSize}, 1x28x28 inputs, Adam, {settings.Threads} threads; images/s, median of {settings.Repeats} runs{(settings.Smoke ? "" : " after a warm-up run")} " +
            "(spread: (max - min) / median of the engine's runs). Ratios: the pipeline against the engine, and the pipeline against PyTorch " +
            $"(target >= {PyTorchTarget:0.0}x, LeNet-5 >= {LeNetPyTorchTarget:0.0}x). Page faults and kernel time per step show the malloc effect.",
            "",
        };
        foreach (var mode in modes)
        {
            lines.Add($"**malloc: {Describe(mode)}**");
            lines.Add("");
            lines.AddRange(Header("Model", "Parameters", "Engine", "Pipeline", "PyTorch", "Pipeline / engine", "Pipeline / PyTorch", "Engine / PyTorch",
                "Spread", "Faults/step engine", "Faults/step PyTorch", "Kernel ms/step engine", "Kernel ms/step PyTorch", "Load"));
            foreach (var workload in settings.Workloads)
            {
                var request = settings.Request(workload, ProbeTask.Train, mode);
                var dotnet = host.RunDotNet(request);
                var pytorch = settings.Python is null ? null : host.RunPyTorch(request);
                CheckSameNetwork(workload, dotnet, pytorch);
                double engine = Statistics.Median(dotnet.TrainImagesPerSecond[TrainingProbe.Engine]);
                double pipeline = Statistics.Median(dotnet.TrainImagesPerSecond[TrainingProbe.Pipeline]);
                double peer = pytorch is null ? double.NaN : Statistics.Median(pytorch.TrainImagesPerSecond["pytorch"]);
                double pyTorchTarget = workload.Architecture == "lenet5" ? LeNetPyTorchTarget : PyTorchTarget;
                lines.Add(Row(workload.Architecture, dotnet.Parameters, engine, pipeline, peer,
                    Ratio(pipeline / engine, PipelineTarget), Ratio(pipeline / peer, pyTorchTarget), Ratio(engine / peer),
                    $"{Statistics.Spread(dotnet.TrainImagesPerSecond[TrainingProbe.Engine]):P0}",
                    dotnet.MinorFaultsPerStep[TrainingProbe.Engine], pytorch?.MinorFaultsPerStep["pytorch"] ?? double.NaN,
                    dotnet.SystemSecondsPerStep[TrainingProbe.Engine] * 1000, (pytorch?.SystemSecondsPerStep["pytorch"] ?? double.NaN) * 1000,
                    Machine.MachineLoad.Now().OneMinute));
                json.Add(new JsonObject
                {
                    ["model"] = workload.Architecture,
                    ["malloc"] = mode.ToString(),
                    ["request"] = JsonSerializer.SerializeToNode(request, ProbeHost.Json),
                    ["dotnet"] = JsonSerializer.SerializeToNode(dotnet, ProbeHost.Json),
                    ["pytorch"] = pytorch is null ? null : JsonSerializer.SerializeToNode(pytorch, ProbeHost.Json),
                });
            }
            lines.Add("");
        }
        report.Add("speed", "Training speed", lines, json);
    }

    public static string Describe(MallocMode mode) => mode == MallocMode.Default
        ? "glibc defaults"
        : $"freed memory kept (.NET: NativeMemoryTuning.KeepFreedMemory(); PyTorch: GLIBC_TUNABLES={ProbeHost.GlibcTunables})";

    /// <summary>Fails when the PyTorch peer's network has a different parameter count: the comparison would be unfair.</summary>
    public static void CheckSameNetwork(Workload workload, ProbeResult dotnet, ProbeResult? pytorch)
    {
        if (pytorch is not null && pytorch.Parameters != dotnet.Parameters)
            throw new InvalidOperationException($"The PyTorch peer's {workload.Architecture} has {pytorch.Parameters} parameters but MLNetCnn's has {dotnet.Parameters}.");
    }
}
