using System.Diagnostics;
using Microsoft.ML;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Benchmarks.Machine;
using MLNetCnn.Runtime;
using MLNetCnn.Training;
using TorchSharp;

namespace MLNetCnn.Benchmarks.Probes;

/// <summary>
/// Training throughput of one model in two ways, alternately so that both see the same machine: the raw engine
/// (<see cref="ClassifierTrainer"/> on an in-memory <see cref="ImageDataset"/>, the network built before the clock
/// starts) and the full ML.NET pipeline (<c>MapValueToKey</c> and the CNN trainer fitted on an <see cref="IDataView"/>,
/// everything inside <c>Fit</c> timed: reading the view, the normalisation statistics, building the network).
/// Each run is one epoch of <see cref="ProbeRequest.Steps"/> batches; <see cref="ProbeRequest.EngineOnly"/> leaves the pipeline out.
/// </summary>
internal static class TrainingProbe
{
    public const string Engine = "engine";
    public const string Pipeline = "pipeline";

    public static ProbeResult Run(ProbeRequest request)
    {
        var data = SyntheticData.Create(request.Shape, request.Images, request.Classes, request.Seed);
        var mlContext = new MLContext(request.Seed);
        var view = mlContext.Data.LoadFromImageDataset(data);
        var rates = new Dictionary<string, List<double>> { [Engine] = [] };
        var usage = new Dictionary<string, ResourceUsage> { [Engine] = default };
        if (!request.EngineOnly)
        {
            rates[Pipeline] = [];
            usage[Pipeline] = default;
        }
        for (int run = -request.Warmups; run < request.Repeats; run++)
        {
            foreach (var way in request.EngineOnly ? [Engine] : new[] { Engine, Pipeline })
            {
                var before = ResourceUsage.Now();
                double seconds = way == Engine ? TrainEngine(request, data) : TrainPipeline(request, mlContext, view);
                var used = ResourceUsage.Now().Since(before);
                if (run < 0)
                    continue;
                rates[way].Add(request.Images / seconds);
                usage[way] = Add(usage[way], used);
            }
        }
        double steps = (double)request.Steps * request.Repeats;
        return new ProbeResult
        {
            TrainImagesPerSecond = rates,
            MinorFaultsPerStep = usage.ToDictionary(u => u.Key, u => u.Value.MinorFaults / steps),
            SystemSecondsPerStep = usage.ToDictionary(u => u.Key, u => u.Value.SystemSeconds / steps),
            UserSecondsPerStep = usage.ToDictionary(u => u.Key, u => u.Value.UserSeconds / steps),
            Parameters = Parameters(request),
            PeakResidentBytes = ResourceUsage.PeakResidentBytes(),
            Runtime = RuntimeDescription(),
        };
    }

    /// <summary>Trainable parameters of the request's network.</summary>
    public static long Parameters(ProbeRequest request)
    {
        using var network = ModelZoo.Create(request.Architecture, new ModelSpec(request.Shape, request.Classes));
        return network.parameters().Sum(p => p.numel());
    }

    public static string RuntimeDescription() => $"TorchSharp {typeof(torch).Assembly.GetName().Version} (libtorch {torch.__version__}), .NET {Environment.Version}";

    private static double TrainEngine(ProbeRequest request, ImageDataset data)
    {
        var spec = new ModelSpec(request.Shape, request.Classes);
        using var model = CnnModel.Create(request.Architecture, spec, InputNormalization.FromData(data), torch.CPU, request.Seed);
        var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = 1, BatchSize = request.BatchSize, Seed = request.Seed, Layout = request.Layout });
        var clock = Stopwatch.StartNew();
        trainer.Train(model, data);
        return clock.Elapsed.TotalSeconds;
    }

    private static double TrainPipeline(ProbeRequest request, MLContext mlContext, IDataView view)
    {
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey(CnnColumnNames.Label)
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
            {
                Architecture = request.Architecture,
                Epochs = 1,
                BatchSize = request.BatchSize,
                Seed = request.Seed,
                Device = ComputeDevice.Cpu,
                Layout = request.Layout,
            }));
        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(view);
        double seconds = clock.Elapsed.TotalSeconds;
        model.LastTransformer.Dispose();
        return seconds;
    }

    private static ResourceUsage Add(ResourceUsage a, ResourceUsage b) =>
        new(a.UserSeconds + b.UserSeconds, a.SystemSeconds + b.SystemSeconds, a.MinorFaults + b.MinorFaults, a.MajorFaults + b.MajorFaults);
}
