using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetCnn.Benchmarks.Machine;
using MLNetCnn.Benchmarks.Probes;
using MLNetCnn.Benchmarks.Reports;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Runtime;
using MLNetCnn.Training;
using TorchSharp;
using static MLNetCnn.Benchmarks.Reports.BenchmarkReport;

namespace MLNetCnn.Benchmarks.Memory;

/// <summary>
/// Resident memory over a long run: 50,000 training steps of LeNet-5 (batch 64) through the engine, then 100,000
/// single-image predictions through a <c>PredictionEngine</c>, sampled 20 times each. Flat means no later sample is more
/// than 5 % above the one taken after the first tenth (allocator and caches warmed up): memory that falls is not a leak.
/// In this process, with glibc's default malloc unless the process was started otherwise.
/// </summary>
internal static class MemorySoakBenchmark
{
    private const int TrainingSteps = 50_000;
    private const int Predictions = 100_000;
    private const int Samples = 20;
    private const double FlatTolerance = 0.05;
    private static readonly ImageShape Shape = new(1, 28, 28);

    public static void Run(BenchmarkSettings settings, BenchmarkReport report)
    {
        int steps = settings.Smoke ? 40 : TrainingSteps;
        int predictions = settings.Smoke ? 200 : Predictions;
        torch.set_num_threads(settings.Threads);

        const int stepsPerEpoch = 500;
        var data = SyntheticData.Create(Shape, Math.Min(steps, stepsPerEpoch) * settings.BatchSize, 10, seed: 1);
        var mlContext = new MLContext(1);
        var view = mlContext.Data.LoadFromImageDataset(data);
        var training = new List<MemorySample>();
        using (var model = CnnModel.Create("lenet5", new ModelSpec(Shape, 10), InputNormalization.FromData(data), torch.CPU, seed: 1))
        {
            int epochSteps = Math.Min(steps, stepsPerEpoch);
            var trainer = new ClassifierTrainer(new TrainingOptions { Epochs = steps / epochSteps, BatchSize = settings.BatchSize, Seed = 1 });
            long done = 0;
            trainer.StepCompleted += _ =>
            {
                if (++done % (steps / Samples) == 0)
                    training.Add(MemorySample.Take(done));
            };
            trainer.Train(model, data);
        }

        var prediction = new List<MemorySample>();
        using (var classifier = ScoringProbe.FitQuickly(mlContext, view, "lenet5", settings.BatchSize, settings.BatchSize))
        using (var engine = mlContext.Model.CreatePredictionEngine<ScoringProbe.InputRow, ScoringProbe.OutputRow>(classifier,
            inputSchemaDefinition: ScoringProbe.InputRow.Definition(Shape)))
        {
            var row = new ScoringProbe.InputRow();
            for (int i = 1; i <= predictions; i++)
            {
                row.Features = data.Image(i % data.Count).ToArray();
                engine.Predict(row);
                if (i % (predictions / Samples) == 0)
                    prediction.Add(MemorySample.Take(i));
            }
        }

        var lines = new List<string>
        {
            $"Resident memory (MiB) over {steps:N0} LeNet-5 training steps (batch {settings.BatchSize}, engine) and {predictions:N0} single-image predictions " +
            $"(PredictionEngine), sampled {Samples} times each; growth is the last sample against the one after the first tenth; flat: no later sample more than " +
            $"{FlatTolerance:P0} above that one. " +
            "Managed: the .NET heap's share of the resident memory (GC.GetTotalMemory), after the first tenth and at the end.",
            "",
        };
        lines.AddRange(Header("Phase", "After 1/10", "Middle", "End", "Largest", "Growth", "Flat", "Managed after 1/10", "Managed at end"));
        lines.Add(Summarise("Training", training));
        lines.Add(Summarise("Predictions", prediction));
        report.Add("memory", "Memory soak", lines, new JsonObject
        {
            ["trainingSteps"] = steps,
            ["predictions"] = predictions,
            ["training"] = ToJson(training),
            ["prediction"] = ToJson(prediction),
            ["load"] = MachineLoad.Now().OneMinute,
        });
    }

    private static string Summarise(string phase, List<MemorySample> samples)
    {
        static double MiB(long bytes) => bytes / (1024.0 * 1024);
        int warmedUp = Math.Max(0, samples.Count / 10 - 1);
        var reference = samples[warmedUp];
        var last = samples[^1];
        double growth = (double)(last.ResidentBytes - reference.ResidentBytes) / reference.ResidentBytes;
        long largestLater = samples.Skip(warmedUp).Max(s => s.ResidentBytes);
        bool flat = largestLater <= reference.ResidentBytes * (1 + FlatTolerance);
        return Row(phase, MiB(reference.ResidentBytes), MiB(samples[samples.Count / 2].ResidentBytes), MiB(last.ResidentBytes),
            MiB(samples.Max(s => s.ResidentBytes)), $"{growth:+0.0%;-0.0%}", flat ? "yes" : "no",
            MiB(reference.ManagedBytes), MiB(last.ManagedBytes));
    }

    private static JsonArray ToJson(List<MemorySample> samples) =>
        [.. samples.Select(s => (JsonNode)new JsonObject { ["count"] = s.Count, ["residentBytes"] = s.ResidentBytes, ["managedBytes"] = s.ManagedBytes })];

    /// <summary>The process's resident memory and the .NET heap's part of it after <paramref name="Count"/> steps or predictions.</summary>
    private readonly record struct MemorySample(long Count, long ResidentBytes, long ManagedBytes)
    {
        public static MemorySample Take(long count) => new(count, ResourceUsage.ResidentBytes(), GC.GetTotalMemory(forceFullCollection: false));
    }
}
