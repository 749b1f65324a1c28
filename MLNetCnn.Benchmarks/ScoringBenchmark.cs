using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetCnn.Benchmarks.Probes;
using MLNetCnn.Benchmarks.Reports;
using static MLNetCnn.Benchmarks.Reports.BenchmarkReport;

namespace MLNetCnn.Benchmarks;

/// <summary>
/// Scoring images/s of every workload (raw engine in evaluation mode, ML.NET's batched <c>Transform</c>, PyTorch) and
/// the latency of one prediction through a <c>PredictionEngine</c> (and of one image in PyTorch), with glibc's defaults.
/// </summary>
internal static class ScoringBenchmark
{
    private const double TransformTarget = 0.95;
    private const double PyTorchTarget = 1.2;
    private const double LeNetLatencyTargetMilliseconds = 1.0;

    public static void Run(BenchmarkSettings settings, BenchmarkReport report)
    {
        var host = settings.Host();
        var json = new JsonArray();
        var lines = new List<string>
        {
            $"Scoring, batch {settings.BatchSize}, {BenchmarkSettings.DefaultInput} inputs unless the row says otherwise, {settings.Threads} threads, glibc's default malloc; " +
            $"images/s and milliseconds, median of {settings.Repeats} runs. PyTorch runs in both layouts; the ratios are against the faster (target: Transform >= " +
            $"{PyTorchTarget:0.0}x). " +
            $"Transform: ML.NET's batched Transform read through a cursor (target >= {TransformTarget:0.00}x the engine). Latency: one image through a PredictionEngine " +
            $"(median of each run's predictions; LeNet-5 target < {LeNetLatencyTargetMilliseconds:0} ms) and one image through the PyTorch network.",
            "",
        };
        lines.AddRange(Header("Model", "Engine", "Transform", "PyTorch", "PyTorch channels-last", "Transform / engine", "Engine / PyTorch best",
            "Transform / PyTorch best", "PredictionEngine ms", "PyTorch 1-image ms (best layout)", "Load"));
        foreach (var workload in settings.Workloads)
        {
            var request = settings.Request(workload, ProbeTask.Score, MallocMode.Default);
            var dotnet = host.RunDotNet(request);
            var pytorch = settings.Python is null ? null : host.RunPyTorch(request);
            SpeedBenchmark.CheckSameNetwork(workload, dotnet, pytorch);
            double engine = Statistics.Median(dotnet.ScoreImagesPerSecond[TrainingProbe.Engine]);
            double transform = Statistics.Median(dotnet.ScoreImagesPerSecond[TrainingProbe.Pipeline]);
            var (nchw, channelsLast, peer, peerLayout) = SpeedBenchmark.PeerRates(pytorch?.ScoreImagesPerSecond);
            double latency = Statistics.Median(dotnet.LatencyMilliseconds[TrainingProbe.Pipeline]);
            double peerLatency = pytorch is null ? double.NaN
                : pytorch.LatencyMilliseconds.Values.Select(Statistics.Median).Min();
            string latencyCell = workload.Architecture == "lenet5"
                ? $"{Format(latency)} ({(latency < LeNetLatencyTargetMilliseconds ? "met" : "missed")} < {LeNetLatencyTargetMilliseconds:0})"
                : Format(latency);
            lines.Add(Row(workload.Label, engine, transform, nchw, channelsLast, Ratio(transform / engine, TransformTarget), Ratio(engine / peer),
                $"{Ratio(transform / peer, PyTorchTarget)} ({peerLayout})",
                latencyCell, peerLatency, Machine.MachineLoad.Now().OneMinute));
            json.Add(new JsonObject
            {
                ["model"] = workload.Label,
                ["request"] = JsonSerializer.SerializeToNode(request, ProbeHost.Json),
                ["dotnet"] = JsonSerializer.SerializeToNode(dotnet, ProbeHost.Json),
                ["pytorch"] = pytorch is null ? null : JsonSerializer.SerializeToNode(pytorch, ProbeHost.Json),
            });
        }
        report.Add("scoring", "Scoring speed and latency", lines, json);
    }
}
