using Microsoft.ML;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Cli;

/// <summary>A small model that <c>mlnetcnn train</c> made once per test run, on 12x12 colour images of classes a, b and c.</summary>
internal static class TrainedCliModel
{
    private static readonly Lazy<(string Model, string Data)> Trained = new(() =>
    {
        var data = ImageFiles.ClassFolder(TestFolders.Create(), classes: 3, perClass: 8, seed: 7);
        string run = Path.Combine(TestFolders.Create(), "run");
        var (exitCode, output, error) = CliInProcess.Run("train", "--data", data, "--arch", "lenet5", "--epochs", "3", "--batch-size", "8", "--image-size", "12",
            "--validation-fraction", "0", "--output", run);
        Assert.AreEqual(0, exitCode, error + output);
        return (Path.Combine(run, "model.zip"), data);
    });

    /// <summary>The model zip.</summary>
    public static string Model => Trained.Value.Model;

    /// <summary>The class folder it was trained on.</summary>
    public static string Data => Trained.Value.Data;

    /// <summary>The class folder as the model reads it: 12x12 images in <paramref name="imageColumn"/>.</summary>
    public static IDataView LoadData(MLContext mlContext, string imageColumn) =>
        mlContext.Data.LoadImageFolder(Data, new ImageFileOptions
        {
            ImageWidth = 12,
            ImageHeight = 12,
            ImageColumnName = imageColumn,
        });
}
