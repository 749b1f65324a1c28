using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.ML;
using MLNetCnn.Benchmarks.Machine;
using MLNetCnn.Benchmarks.Reports;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Training;
using static MLNetCnn.Benchmarks.Reports.BenchmarkReport;

namespace MLNetCnn.Benchmarks;

/// <summary>
/// Macro accuracy on the balanced test split of the embedded Fashion-MNIST subset (1,000 images) of LeNet-5 trained on an
/// imbalanced copy of its training split (10x fewer pullovers, coats and shirts, the three classes most confused with each
/// other), without correction, with balanced class weights and with class-balanced sampling, through the ML.NET pipeline.
/// The embedded subset keeps it a few minutes long and the same everywhere.
/// </summary>
internal static class ImbalanceBenchmark
{
    private const int Reduction = 10;
    private static readonly int[] ReducedClasses = [2, 4, 6];

    public static void Run(BenchmarkSettings settings, BenchmarkReport report)
    {
        var (train, test) = (FashionMnist.LoadEmbedded(DataSplit.Train), FashionMnist.LoadEmbedded(DataSplit.Test));
        var imbalanced = Reduce(train);
        int epochs = settings.Smoke ? 1 : 10;
        var counts = imbalanced.Labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => g.Count()).ToArray();
        var lines = new List<string>
        {
            $"LeNet-5, {epochs} epochs, batch {settings.BatchSize}, Adam 0.001, seed 1, on the embedded Fashion-MNIST subset " +
            $"with {Reduction}x fewer {string.Join(", ", ReducedClasses.Select(c => FashionMnist.ClassNames[c]))}: {imbalanced.Count} training images " +
            $"({string.Join(" / ", counts)} per class); tested on the {test.Count} images of the balanced test split.",
            "",
        };
        lines.AddRange(Header("Correction", "Macro accuracy", "Micro accuracy", "Recall of the 3 reduced classes", "Training s", "Load"));
        var results = new JsonArray();
        foreach (var (name, weights, sampling) in new[]
        {
            ("none", ClassWeights.None, false),
            ("class weights: balanced", ClassWeights.Balanced, false),
            ("class-balanced sampling", ClassWeights.None, true),
        })
        {
            var mlContext = new MLContext(seed: 1);
            // Labels "0" to "9" in value order: key k - 1 is class k, as PerClassRecall indexes them.
            var keys = mlContext.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
            var trainer = mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
            {
                Epochs = epochs, BatchSize = settings.BatchSize, Seed = 1, ClassWeights = weights, ClassBalancedSampling = sampling,
            });
            var clock = Stopwatch.StartNew();
            using var model = keys.Append(trainer).Fit(mlContext.Data.LoadFromImageDataset(imbalanced));
            double seconds = clock.Elapsed.TotalSeconds;
            var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(mlContext.Data.LoadFromImageDataset(test)));
            var recall = ReducedClasses.Select(c => metrics.ConfusionMatrix.PerClassRecall[c]).ToArray();
            double load = MachineLoad.Now().OneMinute;
            lines.Add(Row(name, $"{metrics.MacroAccuracy:P2}", $"{metrics.MicroAccuracy:P2}", string.Join(" / ", recall.Select(r => $"{r:P1}")),
                $"{seconds:F0}", $"{load:F2}"));
            results.Add(new JsonObject
            {
                ["correction"] = name,
                ["macroAccuracy"] = metrics.MacroAccuracy,
                ["microAccuracy"] = metrics.MicroAccuracy,
                ["reducedClassRecall"] = new JsonArray([.. recall.Select(r => (JsonNode)r)]),
                ["trainingSeconds"] = seconds,
                ["load"] = load,
            });
        }
        report.Add("imbalance", "Imbalanced classes", lines, new JsonObject
        {
            ["data"] = "embedded Fashion-MNIST subset",
            ["trainingImages"] = imbalanced.Count,
            ["classCounts"] = new JsonArray([.. counts.Select(c => (JsonNode)c)]),
            ["runs"] = results,
        });
    }

    /// <summary>The training images with only every tenth image of each reduced class kept.</summary>
    private static ImageDataset Reduce(ImageDataset train)
    {
        var seen = new int[train.ClassCount];
        var keep = Enumerable.Range(0, train.Count)
            .Where(i => !ReducedClasses.Contains(train.Labels[i]) || seen[train.Labels[i]]++ % Reduction == 0)
            .ToArray();
        return train.Select(keep);
    }
}
