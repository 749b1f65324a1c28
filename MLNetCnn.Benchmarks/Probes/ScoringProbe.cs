using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Runtime;

namespace MLNetCnn.Benchmarks.Probes;

/// <summary>
/// Scoring throughput and latency of one fitted model, the ways alternating run by run: the raw engine in evaluation
/// mode (<see cref="CnnModel.PredictProbabilities"/> on batches of in-memory images), ML.NET's batched
/// <c>Transform</c> read through a cursor, and one image at a time through a <c>PredictionEngine</c>. The network is
/// fitted for one step first; its weights do not change the speed.
/// </summary>
internal static class ScoringProbe
{
    public static ProbeResult Run(ProbeRequest request)
    {
        var data = SyntheticData.Create(request.Shape, request.Images, request.Classes, request.Seed);
        var mlContext = new MLContext(request.Seed);
        var view = mlContext.Data.LoadFromImageDataset(data);
        using var classifier = FitQuickly(mlContext, view, request.Architecture, request.BatchSize, request.BatchSize, request.Layout);
        var definition = InputRow.Definition(request.Shape);
        using var engine = mlContext.Model.CreatePredictionEngine<InputRow, OutputRow>(classifier, inputSchemaDefinition: definition);

        var rates = new Dictionary<string, List<double>> { [TrainingProbe.Engine] = [], [TrainingProbe.Pipeline] = [] };
        var latencies = new List<double>();
        for (int run = -request.Warmups; run < request.Repeats; run++)
        {
            double engineSeconds = ScoreEngine(classifier.Model, data, request.BatchSize);
            double pipelineSeconds = ScorePipeline(classifier, view);
            double latency = MedianLatency(engine, data, request.Predictions);
            if (run < 0)
                continue;
            rates[TrainingProbe.Engine].Add(data.Count / engineSeconds);
            rates[TrainingProbe.Pipeline].Add(data.Count / pipelineSeconds);
            latencies.Add(latency);
        }
        return new ProbeResult
        {
            ScoreImagesPerSecond = rates,
            LatencyMilliseconds = new() { [TrainingProbe.Pipeline] = latencies },
            Parameters = TrainingProbe.Parameters(request),
            PeakResidentBytes = Machine.ResourceUsage.PeakResidentBytes(),
            Runtime = TrainingProbe.RuntimeDescription(),
        };
    }

    /// <summary>
    /// A classifier fitted for one epoch on the first <paramref name="rows"/> rows, its label keys mapped on the whole view
    /// so that it has every class; only its speed matters.
    /// </summary>
    public static CnnClassificationTransformer FitQuickly(MLContext mlContext, IDataView view, string architecture, int batchSize, int rows,
        TensorLayout layout = TensorLayouts.Default)
    {
        var keyed = mlContext.Transforms.Conversion.MapValueToKey(CnnColumnNames.Label).Fit(view).Transform(view);
        var trainer = mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
        {
            Architecture = architecture,
            Epochs = 1,
            BatchSize = batchSize,
            Seed = 1,
            Device = ComputeDevice.Cpu,
            Layout = layout,
        });
        return trainer.Fit(mlContext.Data.TakeRows(keyed, rows));
    }

    private static double ScoreEngine(CnnModel model, ImageDataset data, int batchSize)
    {
        var probabilities = new float[batchSize * model.Spec.ClassCount];
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < data.Count; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Count - start);
            model.PredictProbabilities(data.Pixels.AsSpan(start * data.Shape.Size, count * data.Shape.Size), count,
                probabilities.AsSpan(0, count * model.Spec.ClassCount));
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static double ScorePipeline(CnnClassificationTransformer classifier, IDataView view)
    {
        var clock = Stopwatch.StartNew();
        var scored = classifier.Transform(view);
        var score = scored.Schema[CnnColumnNames.Score];
        using var cursor = scored.GetRowCursor([score]);
        var getter = cursor.GetGetter<VBuffer<float>>(score);
        VBuffer<float> probabilities = default;
        long rows = 0;
        while (cursor.MoveNext())
        {
            getter(ref probabilities);
            rows++;
        }
        if (probabilities.Length != classifier.Model.Spec.ClassCount)
            throw new InvalidOperationException($"Scored {rows} rows into {probabilities.Length} probabilities each; expected {classifier.Model.Spec.ClassCount}.");
        return clock.Elapsed.TotalSeconds;
    }

    private static double MedianLatency(PredictionEngine<InputRow, OutputRow> engine, ImageDataset data, int predictions)
    {
        var times = new double[predictions];
        var row = new InputRow();
        for (int i = 0; i < predictions; i++)
        {
            row.Features = data.Image(i % data.Count).ToArray();
            long start = Stopwatch.GetTimestamp();
            engine.Predict(row);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[predictions / 2];
    }

    /// <summary>One image for the prediction engine; its vector shape is set by <see cref="Definition"/>.</summary>
    public sealed class InputRow
    {
        public float[] Features { get; set; } = [];

        public static SchemaDefinition Definition(ImageShape shape)
        {
            var definition = SchemaDefinition.Create(typeof(InputRow));
            definition[nameof(Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, shape.Channels, shape.Height, shape.Width);
            return definition;
        }
    }

    /// <summary>The class probabilities of one image.</summary>
    public sealed class OutputRow
    {
        public float[] Score { get; set; } = [];
    }
}
