using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators;

/// <summary>A small LeNet-5 pipeline (MapValueToKey, then the CNN) trained in a second on 12x12 bar images of 4 classes.</summary>
internal static class BarsModel
{
    public const int Size = 12;

    private static readonly Lazy<(MLContext Context, IDataView Data, TransformerChain<CnnClassificationTransformer> Model)> Shared = new(() => Train());

    /// <summary>The images and text labels it was trained on.</summary>
    public static ImageDataset Images { get; } = SyntheticImages.Bars(64, size: Size);

    /// <summary>One model shared by the tests that only score it (never dispose it).</summary>
    public static TransformerChain<CnnClassificationTransformer> Model => Shared.Value.Model;

    /// <summary>The context it was trained in.</summary>
    public static MLContext Context => Shared.Value.Context;

    /// <summary>The training data: <c>Label</c> (text) and <c>Features</c> (1x12x12).</summary>
    public static IDataView Data => Shared.Value.Data;

    /// <summary>A model of its own, for a test that disposes or otherwise spends it.</summary>
    public static (MLContext Context, IDataView Data, TransformerChain<CnnClassificationTransformer> Model) Train(int epochs = 2, int seed = 5)
    {
        var mlContext = new MLContext(seed: seed);
        var data = mlContext.Data.LoadFromImageDataset(Images);
        var model = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(epochs: epochs))
            .Fit(data);
        return (mlContext, data, model);
    }

    /// <summary>Image <paramref name="index"/> as a prediction input.</summary>
    public static Input InputOf(int index) => new() { Label = Images.Labels[index].ToString(System.Globalization.CultureInfo.InvariantCulture), Features = Images.Image(index).ToArray() };

    /// <summary>A prediction engine that leaves the model alive when it is disposed.</summary>
    public static PredictionEngine<Input, Output> Engine(MLContext mlContext, ITransformer model) =>
        mlContext.Model.CreatePredictionEngine<Input, Output>(model, new PredictionEngineOptions { OwnsTransformer = false });

    /// <summary>Every image's class probabilities from <see cref="ITransformer.Transform"/>, row after row.</summary>
    public static float[][] Scores(ITransformer model, IDataView data) => [.. model.Transform(data).GetColumn<float[]>("Score")];

    public sealed class Input
    {
        public string Label { get; set; } = "";

        [VectorType(1, Size, Size)]
        public float[] Features { get; set; } = [];
    }

    public sealed class Output
    {
        public float[] Score { get; set; } = [];

        public uint PredictedLabel { get; set; }
    }
}
