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
    /// <summary>peer.py's name for its runs in PyTorch's default layout.</summary>
    public const string PyTorchDefaultLayout = "pytorch";

    /// <summary>peer.py's name for its channels-last runs.</summary>
    public const string PyTorchChannelsLast = "pytorch-channels-last";

    private const double PipelineTarget = 0.95;
    private const double PyTorchTarget = 1.1;
    private const double LeNetPyTorchTarget = 1.4;

    public static void Run(BenchmarkSettings settings, BenchmarkReport report)
    {
        var host = settings.Host();
        var modes = settings.InProcess ? [MallocMode.Default] : new[] { MallocMode.Default, MallocMode.Tuned };
        var json = new JsonArray();
        var lines = new List<string>
        {
            $"Training, batch {settings.BatchSize}, {BenchmarkSettings.DefaultInput} inputs unless the row says otherwise, Adam, {settings.Threads} threads; images/s, " +
            $"median of {settings.Repeats} runs{(settings.Smoke ? "" : " after a warm-up run")} (spread: (max - min) / median of the engine's runs). " +
            "The engine and the pipeline use the default layout (TensorLayout.Auto); PyTorch runs in both layouts and the ratios are against the faster " +
            $"(its layout in brackets). Targets: the pipeline against the engine, and the pipeline against PyTorch at its best (>= {PyTorchTarget:0.0}x, " +
            $"LeNet-5 >= {LeNetPyTorchTarget:0.0}x). Page faults and kernel time per step (PyTorch: its default layout) show the malloc effect.",
            "",
        };
        foreach (var mode in modes)
        {
            lines.Add($"**malloc: {Describe(mode)}**");
            lines.Add("");
            lines.AddRange(Header("Model", "Parameters", "Engine", "Pipeline", "PyTorch", "PyTorch channels-last", "Pipeline / engine", "Pipeline / PyTorch best",
                "Engine / PyTorch best",
                "Spread", "Faults/step engine", "Faults/step PyTorch", "Kernel ms/step engine", "Kernel ms/step PyTorch", "Load"));
            foreach (var workload in settings.Workloads)
            {
                var request = settings.Request(workload, ProbeTask.Train, mode);
                var dotnet = host.RunDotNet(request);
                var pytorch = settings.Python is null ? null : host.RunPyTorch(request);
                CheckSameNetwork(workload, dotnet, pytorch);
                double engine = Statistics.Median(dotnet.TrainImagesPerSecond[TrainingProbe.Engine]);
                double pipeline = Statistics.Median(dotnet.TrainImagesPerSecond[TrainingProbe.Pipeline]);
                var (nchw, channelsLast, peer, peerLayout) = PeerRates(pytorch?.TrainImagesPerSecond);
                double pyTorchTarget = workload.Architecture == "lenet5" ? LeNetPyTorchTarget : PyTorchTarget;
                lines.Add(Row(workload.Label, dotnet.Parameters, engine, pipeline, nchw, channelsLast,
                    Ratio(pipeline / engine, PipelineTarget), $"{Ratio(pipeline / peer, pyTorchTarget)} ({peerLayout})", Ratio(engine / peer),
                    $"{Statistics.Spread(dotnet.TrainImagesPerSecond[TrainingProbe.Engine]):P0}",
                    dotnet.MinorFaultsPerStep[TrainingProbe.Engine], pytorch?.MinorFaultsPerStep[PyTorchDefaultLayout] ?? double.NaN,
                    dotnet.SystemSecondsPerStep[TrainingProbe.Engine] * 1000, (pytorch?.SystemSecondsPerStep[PyTorchDefaultLayout] ?? double.NaN) * 1000,
                    Machine.MachineLoad.Now().OneMinute));
                json.Add(new JsonObject
                {
                    ["model"] = workload.Label,
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

    /// <summary>PyTorch's median rates in its default layout and channels-last, the faster of the two and which one it was.</summary>
    public static (double Nchw, double ChannelsLast, double Best, string BestLayout) PeerRates(Dictionary<string, List<double>>? rates)
    {
        if (rates is null)
            return (double.NaN, double.NaN, double.NaN, "no peer");
        double nchw = Statistics.Median(rates[PyTorchDefaultLayout]);
        double channelsLast = rates.TryGetValue(PyTorchChannelsLast, out var last) ? Statistics.Median(last) : double.NaN;
        return channelsLast > nchw ? (nchw, channelsLast, channelsLast, "channels-last") : (nchw, channelsLast, nchw, "NCHW");
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
