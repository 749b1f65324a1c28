using System.CommandLine;
using Microsoft.ML;
using MLNetCnn.Cli.Data;
using MLNetCnn.Cli.Reports;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary><c>mlnetcnn evaluate</c>: scores a saved model on labelled data and prints (and optionally writes) its metrics.</summary>
internal static class EvaluateCommand
{
    public static Command Create(CliConsole console)
    {
        var model = CommonOptions.Model();
        var data = CommonOptions.Data("the embedded Fashion-MNIST test subset (1,000 images); data with a test split is evaluated on it");
        var skipUnreadable = CommonOptions.SkipUnreadable();
        var maxImagePixels = CommonOptions.MaxImagePixels();
        var topK = new Option<int?>("--top-k")
        {
            Description = $"Also report top-K accuracy (the true class among the K most probable); 0 for none. Default: {TopKAccuracy.DefaultK} " +
                $"when the model has more than {TopKAccuracy.DefaultK} classes, else none.",
        };
        var topLosses = CommonOptions.TopLosses();
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Also write a report folder (metrics.json, confusion matrix, kernels and top-losses PNG, report.md) here.",
        };

        var command = new Command("evaluate", "Evaluate a saved model on labelled data: micro, macro and top-k accuracy, log-loss, per-class precision and recall, confusion table.")
        {
            model, data, skipUnreadable, maxImagePixels, topK, topLosses, output,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
            Evaluate(console, parse.GetValue(model)!, parse.GetValue(data), parse.GetValue(skipUnreadable), parse.GetValue(maxImagePixels), parse.GetValue(topK),
                CommonOptions.TopLossCount(parse, topLosses), parse.GetValue(output))));
        return command;
    }

    private static void Evaluate(CliConsole console, string modelPath, string? dataPath, bool skipUnreadable, long maxImagePixels, int? topK,
        int topLosses, string? folder)
    {
        var mlContext = new MLContext(seed: 1);
        using var model = ModelFile.Load(mlContext, modelPath);
        var classifier = model.Classifier;
        var input = classifier.Model.Spec.Input;
        var source = DataSource.Open(dataPath);
        var request = new ImageRequest(classifier.FeatureColumnName, input.Width, input.Height, skipUnreadable, maxImagePixels);
        var data = source.Load(mlContext, DataSplit.Test, request);
        TrainCommand.ReportSkipped(console, request.Skipped);
        string testData = source.HasSplits ? $"the test split of {source.Description}" : source.Description;
        console.Ansi.MarkupLineInterpolated($"Evaluating [bold]{classifier.Model.Architecture}[/] ({input}, {classifier.ClassNames.Count} classes) on {testData}.");

        var losses = folder is not null && topLosses > 0 ? new TopLosses(classifier, topLosses) : null;
        var evaluation = Evaluation.Compute(mlContext, classifier, data, topK, losses);
        EvaluationTables.Print(console.Ansi, evaluation);
        if (folder is null)
            return;
        ReportFolder.Write(folder, new RunReport
        {
            Command = "evaluate",
            Model = Path.GetFullPath(modelPath),
            Architecture = classifier.Model.Architecture,
            Input = input.ToString(),
            TestData = testData,
            Test = TestMetrics.From(evaluation),
            SkippedImages = request.Skipped,
        }, [], evaluation, classifier.Model, losses?.Highest);
        console.Ansi.MarkupLineInterpolated($"Wrote the report ({ReportFolder.SummaryFile}) in [bold]{Path.GetFullPath(folder)}[/].");
    }
}
