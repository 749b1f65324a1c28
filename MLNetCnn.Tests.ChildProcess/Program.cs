using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.ChildProcess;

/// <summary>
/// Repeats or runs one job until the test that started it kills it:
/// <c>save-loop MODEL TARGET</c> loads the model file MODEL and saves it to TARGET with <c>SaveAtomically</c> over
/// and over, printing <c>saved N</c> after each save; <c>train FOLDER</c> runs <see cref="CheckpointedRun"/> with
/// checkpoints in FOLDER, printing <c>epoch N</c> after each epoch; <c>load-torch</c> loads TorchSharp's native library and
/// prints <c>sum 3</c> from a tensor.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        switch (args)
        {
            case ["save-loop", var source, var target]:
                var mlContext = new MLContext();
                var model = mlContext.Model.LoadFromFile(source, out var schema);
                for (long saves = 1; ; saves++)
                {
                    mlContext.Model.SaveAtomically(model, schema, target);
                    Say($"saved {saves}");
                }
            case ["train", var folder]:
                CheckpointedRun.Fit(folder, resume: false, onEpochEnd: epoch => Say($"epoch {epoch}"));
                return 0;
            case ["load-torch"]:
                MLNetCnn.Runtime.TorchNativeLoader.EnsureLoaded();
                using (var ones = TorchSharp.torch.ones(3))
                    Say($"sum {ones.sum().item<float>()}");
                return 0;
            default:
                Console.Error.WriteLine("usage: save-loop MODEL TARGET | train FOLDER | load-torch");
                return 2;
        }
    }

    private static void Say(string line)
    {
        Console.WriteLine(line);
        Console.Out.Flush();
    }
}

/// <summary>A small LeNet-5 run on 128 embedded Fashion-MNIST images, the same in the child and in the test.</summary>
public static class CheckpointedRun
{
    /// <summary>Mini-batch steps in one epoch.</summary>
    public const int StepsPerEpoch = 4;

    /// <summary>The training images.</summary>
    public static IDataView Data(MLContext mlContext) =>
        mlContext.Data.TakeRows(mlContext.Data.LoadFashionMnistSample(DataSplit.Train), StepsPerEpoch * 32);

    /// <summary>Trains for 3 epochs, checkpointing in <paramref name="folder"/> (none when null) and resuming from it when asked.</summary>
    public static TransformerChain<CnnClassificationTransformer> Fit(string? folder, bool resume, Action<int>? onEpochEnd = null)
    {
        var mlContext = new MLContext(seed: 1);
        return mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options
            {
                Epochs = 3,
                BatchSize = 32,
                Seed = 1,
                CheckpointFolder = folder,
                Resume = resume,
                OnEpochEnd = report => onEpochEnd?.Invoke(report.Epoch),
            }))
            .Fit(Data(mlContext));
    }
}
