using System.Text.Json.Nodes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.NoEmit;
using MLNetCnn.Benchmarks.Reports;
using static MLNetCnn.Benchmarks.Reports.BenchmarkReport;

namespace MLNetCnn.Benchmarks.DataPath;

/// <summary>
/// Runs <see cref="DataPathWorkloads"/> with BenchmarkDotNet (in process, so TorchSharp's native library is loaded
/// once) and states the cost of the data view feed and of augmentation per batch, as a share of a training step.
/// </summary>
internal static class DataPathBenchmark
{
    /// <summary>Batches per invocation: enough that a training workload's one-off setup (tensor cache, optimizer) is a small share of its
    /// steps.</summary>
    private const int Batches = 64;

    public static void Run(BenchmarkSettings settings, BenchmarkReport report)
    {
        DataPathWorkloads.Batches = settings.Smoke ? 1 : Batches;
        DataPathWorkloads.BatchSize = settings.BatchSize;
        DataPathWorkloads.Threads = settings.Threads;
        var job = settings.Smoke
            ? Job.Dry
            : Job.Default.WithWarmupCount(2).WithIterationCount(Math.Max(settings.Repeats, 5)).WithInvocationCount(1).WithUnrollFactor(1);
        var config = ManualConfig.CreateEmpty()
            .AddJob(job.WithToolchain(InProcessNoEmitToolchain.Instance))
            .AddLogger(settings.Smoke ? NullLogger.Instance : ConsoleLogger.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithArtifactsPath(Path.Combine(Path.GetFullPath(settings.Output), "BenchmarkDotNet"))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<DataPathWorkloads>(config);

        var perBatch = summary.Reports.ToDictionary(
            r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
            r => (r.ResultStatistics?.Median ?? double.NaN) / 1e6 / DataPathWorkloads.Batches);
        double Milliseconds(string name) => perBatch.TryGetValue(name, out var ms) ? ms
            : throw new InvalidOperationException($"BenchmarkDotNet produced no result for {name}: {string.Join("; ", summary.ValidationErrors.Select(e => e.Message))}");
        double feed = Milliseconds(nameof(DataPathWorkloads.WriteRecordFile));
        double batches = Milliseconds(nameof(DataPathWorkloads.ReadBatches));
        double crop = Milliseconds(nameof(DataPathWorkloads.ReadCropAndFlip)) - batches;
        double affine = Milliseconds(nameof(DataPathWorkloads.ReadAffine)) - batches;
        double lenet = Milliseconds(nameof(DataPathWorkloads.TrainLeNet5));
        double resnet = Milliseconds(nameof(DataPathWorkloads.TrainResNet20));

        var lines = new List<string>
        {
            $"BenchmarkDotNet (in process), milliseconds per batch of {settings.BatchSize} 1x28x28 images, median over the iterations; a step is a training step " +
            $"of the engine on in-memory images ({settings.Threads} threads). The first pass (the data view decoded into a record file) runs once per Fit " +
            "(never again with a kept CacheDirectory); every epoch reads shuffled batches from the memory-mapped file, and applies random training-only " +
            "stages as it reads (their cost is the augmented read minus the plain read).",
            "",
        };
        lines.AddRange(Header("Cost per batch", "ms", "Share of a LeNet-5 step", "Share of a ResNet-20 step"));
        lines.Add(Row("IDataView -> record file (first pass, once)", feed, $"{feed / lenet:P1}", $"{feed / resnet:P1}"));
        lines.Add(Row("Shuffled batch from the record file (on the CPU, in the step; prefetched for a GPU)", batches, $"{batches / lenet:P1}", $"{batches / resnet:P1}"));
        lines.Add(Row("Augmentation: RandomCrop(pad 2) + RandomHorizontalFlip", crop, $"{crop / lenet:P1}", $"{crop / resnet:P1}"));
        lines.Add(Row("Augmentation: RandomAffine", affine, $"{affine / lenet:P1}", $"{affine / resnet:P1}"));
        lines.Add(Row("Training step, LeNet-5", lenet, "100 %", "-"));
        lines.Add(Row("Training step, ResNet-20", resnet, "-", "100 %"));
        report.Add("dataPath", "Data path", lines, new JsonObject
        {
            ["batchSize"] = settings.BatchSize,
            ["feedMs"] = feed,
            ["firstPassRowsPerSecond"] = settings.BatchSize / (feed / 1000),
            ["cachedRowsPerSecond"] = settings.BatchSize / (batches / 1000),
            ["batchMs"] = batches,
            ["cropAndFlipMs"] = crop,
            ["affineMs"] = affine,
            ["lenet5StepMs"] = lenet,
            ["resnet20StepMs"] = resnet,
            ["load"] = Machine.MachineLoad.Now().OneMinute,
        });
    }
}
