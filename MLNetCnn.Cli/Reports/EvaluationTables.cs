using Spectre.Console;

namespace MLNetCnn.Cli.Reports;

/// <summary>Prints an <see cref="Evaluation"/>: the headline metrics, per-class precision and recall, and the confusion table.</summary>
internal static class EvaluationTables
{
    private const int MaxConfusionTableClasses = 20;

    public static void Print(IAnsiConsole console, Evaluation evaluation)
    {
        var metrics = new Table().AddColumns("Metric", "Value");
        metrics.AddRow("Images", $"{evaluation.ImageCount}");
        metrics.AddRow("Micro accuracy", $"{evaluation.MicroAccuracy:P2}");
        metrics.AddRow("Macro accuracy", $"{evaluation.MacroAccuracy:P2}");
        if (evaluation.TopKAccuracy is { } topK)
            metrics.AddRow($"Top-{evaluation.TopK} accuracy", $"{topK:P2}");
        metrics.AddRow("Log-loss", $"{evaluation.LogLoss:F4}");
        console.Write(metrics);

        var classes = new Table().AddColumns("Class", "Precision", "Recall", "Images");
        for (int i = 0; i < evaluation.ClassNames.Count; i++)
        {
            classes.AddRow(Markup.Escape(evaluation.ClassNames[i]), $"{evaluation.Precision[i]:P1}", $"{evaluation.Recall[i]:P1}",
                $"{evaluation.Confusion[i].Sum():F0}");
        }
        console.Write(classes);

        if (evaluation.ClassNames.Count > MaxConfusionTableClasses)
        {
            console.WriteLine($"The confusion table of {evaluation.ClassNames.Count} classes is in the report (--output).");
            return;
        }
        var confusion = new Table { Title = new TableTitle("Confusion table: rows are true classes, columns predicted") };
        confusion.AddColumn("True \\ predicted");
        foreach (var name in evaluation.ClassNames)
            confusion.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        for (int i = 0; i < evaluation.ClassNames.Count; i++)
            confusion.AddRow([Markup.Escape(evaluation.ClassNames[i]), .. evaluation.Confusion[i].Select(c => $"{c:F0}")]);
        console.Write(confusion);
    }
}
