using System.CommandLine;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Cli.Data;
using MLNetCnn.Estimators;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary><c>mlnetcnn predict</c>: the most probable classes of image files, as a table or JSON.</summary>
internal static class PredictCommand
{
    private const string PathColumn = "ImagePath";

    /// <summary>How predictions are printed.</summary>
    public enum OutputFormat
    {
        /// <summary>A table for people.</summary>
        Table,

        /// <summary>A JSON array for programs: file, then classes with probabilities.</summary>
        Json,
    }

    public static Command Create(CliConsole console)
    {
        var model = CommonOptions.Model();
        var images = new Argument<string[]>("images") { Description = "Image files, or folders whose image files (at any depth) are all scored.", Arity = ArgumentArity.OneOrMore };
        var top = new Option<int>("--top", "-k") { Description = "How many of the most probable classes to show per image.", DefaultValueFactory = _ => 3 };
        var format = new Option<OutputFormat>("--format") { Description = "table or json.", DefaultValueFactory = _ => OutputFormat.Table };
        var skipUnreadable = CommonOptions.SkipUnreadable();
        var maxImagePixels = CommonOptions.MaxImagePixels();

        var command = new Command("predict", "Classify image files with a saved model: the top-k classes of each, with probabilities.")
        {
            model, images, top, format, skipUnreadable, maxImagePixels,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
            Predict(console, parse.GetValue(model)!, parse.GetValue(images)!, parse.GetValue(top), parse.GetValue(format), parse.GetValue(skipUnreadable), parse.GetValue(maxImagePixels))));
        return command;
    }

    private static void Predict(CliConsole console, string modelPath, string[] paths, int top, OutputFormat format, bool skipUnreadable, long maxImagePixels)
    {
        if (top < 1)
            throw new ArgumentException($"--top must be at least 1, not {top}.");
        var mlContext = new MLContext(seed: 1);
        using var model = ModelFile.Load(mlContext, modelPath);
        var classifier = model.Classifier;
        var input = classifier.Model.Spec.Input;
        var request = new ImageRequest(classifier.FeatureColumnName, input.Width, input.Height, skipUnreadable, maxImagePixels);
        var options = request.ImageFileOptions();
        options.PathColumnName = PathColumn;
        var scored = classifier.Transform(mlContext.Data.LoadImageFiles(paths, options));
        var predictions = Read(scored, classifier.ClassNames, Math.Min(top, classifier.ClassNames.Count));

        if (format == OutputFormat.Json)
        {
            console.Output.WriteLine(JsonSerializer.Serialize(predictions, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            return;
        }
        TrainCommand.ReportSkipped(console, request.Skipped);
        var table = new Table().AddColumn("Image");
        for (int k = 1; k <= predictions[0].Classes.Count; k++)
            table.AddColumn(k == 1 ? "Prediction" : $"#{k}");
        foreach (var prediction in predictions)
            table.AddRow([Markup.Escape(prediction.File), .. prediction.Classes.Select(c => Markup.Escape($"{c.Name} ({c.Probability:P1})"))]);
        console.Ansi.Write(table);
    }

    private static List<Prediction> Read(IDataView scored, IReadOnlyList<string> classNames, int top)
    {
        var predictions = new List<Prediction>();
        var pathColumn = scored.Schema[PathColumn];
        var scoreColumn = scored.Schema[CnnColumnNames.Score];
        using var cursor = scored.GetRowCursor([pathColumn, scoreColumn]);
        var path = cursor.GetGetter<ReadOnlyMemory<char>>(pathColumn);
        var score = cursor.GetGetter<VBuffer<float>>(scoreColumn);
        ReadOnlyMemory<char> file = default;
        VBuffer<float> probabilities = default;
        while (cursor.MoveNext())
        {
            path(ref file);
            score(ref probabilities);
            var values = probabilities.DenseValues().ToArray();
            var best = Enumerable.Range(0, values.Length).OrderByDescending(i => values[i]).Take(top)
                .Select(i => new ClassProbability(classNames[i], values[i])).ToList();
            predictions.Add(new Prediction(file.ToString(), best));
        }
        return predictions;
    }

    /// <summary>The most probable classes of one image file.</summary>
    internal sealed record Prediction(string File, IReadOnlyList<ClassProbability> Classes);

    /// <summary>A class and its probability.</summary>
    internal sealed record ClassProbability(string Name, float Probability);
}
