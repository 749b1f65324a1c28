using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetCnn.Benchmarks.Machine;
using MLNetCnn.Benchmarks.Probes;
using MLNetCnn.Benchmarks.Reports;
using MLNetCnn.Data;
using TorchSharp;
using static MLNetCnn.Benchmarks.Reports.BenchmarkReport;

namespace MLNetCnn.Benchmarks;

/// <summary>
/// Achieved GFLOP/s of ResNet-18 (3x3 stem, 1x28x28) training through the engine, against this CPU's theoretical
/// FP32 peak (<see cref="CpuInfo"/>) and against what a large single-precision matrix product reaches here.
/// </summary>
/// <remarks>
/// A training step costs about three forward passes: the forward pass, and in the backward pass the gradients with
/// respect to the inputs and to the weights, each as many multiply-adds as the forward pass. The forward multiply-adds
/// come from <see cref="ModelSummary"/>; one multiply-add is two floating-point operations.
/// </remarks>
internal static class EfficiencyBenchmark
{
    private const string Architecture = "resnet18";
    private const int MatrixSide = 2048;

    public static void Run(BenchmarkSettings settings, BenchmarkReport report)
    {
        var request = settings.Request(settings.WorkloadFor(Architecture), ProbeTask.Train, MallocMode.Tuned) with { EngineOnly = true };
        var probe = settings.Host().RunDotNet(request);
        double imagesPerSecond = Statistics.Median(probe.TrainImagesPerSecond[TrainingProbe.Engine]);
        long multiplyAdds = ModelSummary.Create(Architecture, new ModelSpec(request.Shape, request.Classes)).MultiplyAdds;
        double flopsPerImage = 3.0 * 2 * multiplyAdds;
        double achieved = imagesPerSecond * flopsPerImage / 1e9;
        double matmul = MatrixProductGigaflops(settings.Smoke ? 256 : MatrixSide, settings.Smoke ? 1 : 10, settings.Threads);
        var cpu = CpuInfo.Read();
        double peak = cpu.PeakGigaflops(Math.Min(settings.Threads, cpu.Cores));

        var lines = new List<string>
        {
            $"ResNet-18 (3x3 stem) training on 1x28x28 images, batch {settings.BatchSize}, {settings.Threads} threads, engine with freed memory kept; " +
            $"{multiplyAdds / 1e6:F0}M forward multiply-adds per image, a training step counted as 3 forward passes (x 2 FLOPs per multiply-add) = {flopsPerImage / 1e9:F2} GFLOP per image.",
            $"Theoretical peak: {cpu.PeakDerivation(Math.Min(settings.Threads, cpu.Cores))}.",
            $"Matrix product: torch.mm of two {(settings.Smoke ? 256 : MatrixSide)}x{(settings.Smoke ? 256 : MatrixSide)} float matrices on the same threads, best of the runs.",
            "",
        };
        lines.AddRange(Header("Figure", "Value", "Share of peak", "Share of the matrix product"));
        lines.Add(Row("ResNet-18 training, images/s", imagesPerSecond, "", ""));
        lines.Add(Row("ResNet-18 training, GFLOP/s", achieved, $"{achieved / peak:P1}", $"{achieved / matmul:P1}"));
        lines.Add(Row("Matrix product, GFLOP/s", matmul, $"{matmul / peak:P1}", "100 %"));
        lines.Add(Row("Theoretical FP32 peak, GFLOP/s", peak, "100 %", ""));
        report.Add("efficiency", "Compute efficiency", lines, new JsonObject
        {
            ["imagesPerSecond"] = imagesPerSecond,
            ["forwardMultiplyAdds"] = multiplyAdds,
            ["achievedGflops"] = achieved,
            ["matrixProductGflops"] = matmul,
            ["peakGflops"] = peak,
            ["peakDerivation"] = cpu.PeakDerivation(Math.Min(settings.Threads, cpu.Cores)),
            ["probe"] = JsonSerializer.SerializeToNode(probe, ProbeHost.Json),
            ["load"] = MachineLoad.Now().OneMinute,
        });
    }

    /// <summary>The best GFLOP/s of <paramref name="runs"/> products of two n x n float matrices.</summary>
    private static double MatrixProductGigaflops(int n, int runs, int threads)
    {
        torch.set_num_threads(threads);
        using var a = torch.rand(n, n);
        using var b = torch.rand(n, n);
        using (var warmup = a.mm(b)) { }
        double best = 0;
        for (int i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            using var product = a.mm(b);
            best = Math.Max(best, 2.0 * n * n * n / clock.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }
}
