using System.Globalization;
using System.Text;
using MLNetCnn.IO;
using MLNetCnn.Plots;
using MLNetCnn.Training;
using MLNetCnn.Visualization;

namespace MLNetCnn.Cli.Reports;

/// <summary>
/// Writes a run's report folder: <c>metrics.json</c>, the learning curves (after training), the confusion
/// matrix heat map and the first-layer kernels as PNG, and <c>report.md</c> linking them.
/// </summary>
internal static class ReportFolder
{
    public const string MetricsFile = "metrics.json";
    public const string SummaryFile = "report.md";
    public const string LearningCurvesFile = "learning-curves.png";
    public const string ConfusionMatrixFile = "confusion-matrix.png";
    public const string KernelsFile = "first-layer-kernels.png";
    public const string TopLossesFile = "top-losses.png";

    /// <summary>Draws the figures, completes <paramref name="report"/> with them and writes all files; returns the completed report.</summary>
    /// <param name="folder">The report folder.</param>
    /// <param name="report">What the run did.</param>
    /// <param name="history">The epochs of training; none for an evaluation.</param>
    /// <param name="evaluation">The test metrics.</param>
    /// <param name="model">The network, for its first-layer kernels.</param>
    /// <param name="topLosses">The images the model got most wrong (<see cref="TopLosses.Highest"/>), drawn when there are any.</param>
    public static RunReport Write(string folder, RunReport report, IReadOnlyList<EpochReport> history, Evaluation evaluation, CnnModel model,
        IReadOnlyList<TopLoss>? topLosses = null)
    {
        Directory.CreateDirectory(folder);
        var figures = new List<Figure>();
        if (history.Count > 0)
            figures.Add(Save(folder, LearningCurvesFile, "Learning curves", Charts.LearningCurves(history)));
        figures.Add(Save(folder, ConfusionMatrixFile, "Confusion matrix", Charts.ConfusionMatrix(evaluation.ClassNames, evaluation.Confusion)));
        figures.Add(Save(folder, KernelsFile, "First-layer kernels", KernelGrid.FirstLayer(model)));
        if (topLosses is { Count: > 0 })
            figures.Add(Save(folder, TopLossesFile, "Top losses: the test images with the highest loss", TopLosses.Draw(topLosses)));

        var complete = report with { Figures = figures, TopLosses = topLosses ?? [] };
        AtomicFile.Write(Path.Combine(folder, MetricsFile), stream => stream.Write(Encoding.UTF8.GetBytes(complete.ToJson())));
        AtomicFile.Write(Path.Combine(folder, SummaryFile), stream => stream.Write(Encoding.UTF8.GetBytes(Markdown(complete))));
        return complete;
    }

    /// <summary>Saves a picture into the report folder as a PNG and describes it.</summary>
    internal static Figure Save(string folder, string file, string title, RgbImage image)
    {
        image.SavePng(Path.Combine(folder, file));
        return new Figure(file, title, image.Width, image.Height);
    }

    private static string Markdown(RunReport report)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.AppendLine(culture, $"# {report.Architecture}: {(report.Command == "train" ? "training" : "evaluation")} report").AppendLine();
        text.AppendLine(culture, $"- Model: `{report.Model}` ({report.Architecture}, input {report.Input})");
        if (report.TrainingData is not null)
            text.AppendLine(culture, $"- Trained on {report.TrainingData}");
        text.AppendLine(culture, $"- Evaluated on {report.TestData} ({report.Test.Images} images)");
        if (report.Training is { } t)
        {
            text.AppendLine(culture, $"- Training: {t.Epochs} epochs, batch {t.BatchSize}, {t.Optimizer} at learning rate {t.LearningRate:G3}, " +
                $"device {t.Device}, seed {t.Seed}, validation fraction {t.ValidationFraction:G3}");
        }
        if (report.SkippedImages.Count > 0)
            text.AppendLine(culture, $"- Skipped {report.SkippedImages.Count} unreadable image files (listed in `{MetricsFile}`)");
        text.AppendLine().AppendLine("## Test metrics").AppendLine();
        text.AppendLine("| Metric | Value |").AppendLine("|---|---|");
        text.AppendLine(culture, $"| Micro accuracy | {report.Test.MicroAccuracy:P2} |");
        text.AppendLine(culture, $"| Macro accuracy | {report.Test.MacroAccuracy:P2} |");
        if (report.Test.TopKAccuracy is { } topK)
            text.AppendLine(culture, $"| Top-{report.Test.TopK} accuracy | {topK:P2} |");
        text.AppendLine(culture, $"| Log-loss | {report.Test.LogLoss:F4} |").AppendLine();
        text.AppendLine("| Class | Precision | Recall | Images |").AppendLine("|---|---|---|---|");
        foreach (var c in report.Test.Classes)
            text.AppendLine(culture, $"| {c.Name.Replace("|", "\\|", StringComparison.Ordinal)} | {c.Precision:P1} | {c.Recall:P1} | {c.Support} |");
        if (report.History.Count > 0)
        {
            var last = report.History[^1];
            text.AppendLine().AppendLine("## Training").AppendLine();
            string validation = last.ValidationAccuracy is { } v
                ? string.Create(culture, $", validation loss {last.ValidationLoss:F4}, validation accuracy {v:P2}")
                : "";
            text.AppendLine(culture, $"Last epoch: loss {last.TrainLoss:F4}, accuracy {last.TrainAccuracy:P2}{validation}, " +
                $"{last.ImagesPerSecond:F0} images/s, {last.ElapsedSeconds:F1} s in all.");
        }
        text.AppendLine().AppendLine("## Figures").AppendLine();
        foreach (var figure in report.Figures)
            text.AppendLine(culture, $"### {figure.Title}").AppendLine().AppendLine(culture, $"![{figure.Title}]({figure.File})").AppendLine();
        text.AppendLine(culture, $"All numbers: [{MetricsFile}]({MetricsFile}).");
        return text.ToString();
    }
}
