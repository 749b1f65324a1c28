using System.CommandLine;
using Microsoft.ML;
using MLNetCnn.Estimators;
using MLNetCnn.Runtime;
using MLNetCnn.Training;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary><c>mlnetcnn train</c>: trains a CNN, evaluates it with ML.NET and saves the model.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "A folder of MNIST-style IDX files; default: the embedded Fashion-MNIST subset." };
        var architecture = new Option<string>("--arch") { Description = $"The architecture: {string.Join(", ", ModelZoo.Names)}.", DefaultValueFactory = _ => "lenet5" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training data.", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per mini-batch.", DefaultValueFactory = _ => 64 };
        var learningRate = new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => 1e-3 };
        var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "adam or sgd (with momentum 0.9).", DefaultValueFactory = _ => OptimizerKind.Adam };
        var device = new Option<ComputeDevice>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => ComputeDevice.Auto };
        var seed = new Option<int>("--seed") { Description = "Seed for initialisation and shuffling.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--output", "-o") { Description = "Where to save the model zip.", DefaultValueFactory = _ => "model.zip" };

        var command = new Command("train", "Train a CNN, evaluate it on the test data and save the model.")
        {
            data, architecture, epochs, batchSize, learningRate, optimizer, device, seed, output,
        };
        command.SetAction(parse => CommandRunner.Run(() => Train(
            parse.GetValue(data),
            new CnnClassificationTrainer.Options
            {
                Architecture = parse.GetValue(architecture)!,
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(learningRate),
                Optimizer = parse.GetValue(optimizer),
                Device = parse.GetValue(device),
                Seed = parse.GetValue(seed),
            },
            parse.GetValue(output)!)));
        return command;
    }

    private static void Train(string? dataPath, CnnClassificationTrainer.Options options, string outputPath)
    {
        var mlContext = new MLContext(seed: options.Seed);
        var data = TrainingData.Load(mlContext, dataPath);
        AnsiConsole.MarkupLineInterpolated($"Training [bold]{options.Architecture}[/] on {data.Description}.");
        options.OnEpochEnd = report => AnsiConsole.WriteLine(report.ToString());
        options.FeatureColumnName = CnnColumnNames.Features;

        var pipeline = mlContext.Transforms.Conversion.MapValueToKey(CnnColumnNames.Label)
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(options))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue(CnnColumnNames.PredictedLabel));
        var model = pipeline.Fit(data.Train);

        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(data.Test));
        var table = new Table().AddColumns("Metric", "Value");
        table.AddRow("Micro accuracy", $"{metrics.MicroAccuracy:P2}");
        table.AddRow("Macro accuracy", $"{metrics.MacroAccuracy:P2}");
        table.AddRow("Log-loss", $"{metrics.LogLoss:F4}");
        AnsiConsole.Write(table);
        AnsiConsole.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

        mlContext.Model.SaveAtomically(model, data.Train.Schema, outputPath);
        AnsiConsole.MarkupLineInterpolated($"Saved the model to [bold]{Path.GetFullPath(outputPath)}[/].");
    }
}
