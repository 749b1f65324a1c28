using Microsoft.ML;
using MLNetCnn.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Cli;

/// <summary>The training and test data of a run, as data views with a text <c>Label</c> and a <c>Features</c> pixel vector.</summary>
internal sealed record TrainingData(IDataView Train, IDataView Test, string Description)
{
    /// <summary>
    /// The embedded Fashion-MNIST subset when <paramref name="path"/> is null; otherwise a folder of IDX
    /// files (MNIST layout: <c>train-images-idx3-ubyte[.gz]</c> and so on, labels read as class indices).
    /// </summary>
    public static TrainingData Load(MLContext mlContext, string? path)
    {
        if (path is null)
        {
            return new TrainingData(
                mlContext.Data.LoadFashionMnistSample(DataSplit.Train),
                mlContext.Data.LoadFashionMnistSample(DataSplit.Test),
                "the embedded Fashion-MNIST subset (6,000 training and 1,000 test images)");
        }
        if (!Directory.Exists(path))
            throw new DirectoryNotFoundException($"Data folder '{path}' does not exist.");
        var train = FashionMnist.Load(path, DataSplit.Train);
        var test = FashionMnist.Load(path, DataSplit.Test);
        return new TrainingData(
            mlContext.Data.LoadFromImageDataset(train),
            mlContext.Data.LoadFromImageDataset(test),
            $"the IDX files in '{path}' ({train.Count} training and {test.Count} test images of shape {train.Shape})");
    }
}
