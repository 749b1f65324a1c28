using Spectre.Console;

namespace MLNetCnn.Cli.Reports;

/// <summary>Prints a comparison's leaderboard as a table, best first.</summary>
internal static class LeaderboardTable
{
    public static void Print(IAnsiConsole console, ComparisonReport report)
    {
        var table = new Table { Title = new TableTitle($"Leaderboard by {report.OptimizationMetric}") };
        int topK = report.TopK;
        string[] topKColumn = topK > 0 ? [$"Top-{topK} acc."] : [];
        table.AddColumns(["#", "Trial", "Candidate", "Micro acc.", "Macro acc.", .. topKColumn, "Log-loss", "Params", "Mult-adds", "Train s", "ms/image", "Status"]);
        foreach (var column in table.Columns.Skip(3).Take(7 + topKColumn.Length))
            column.RightAligned();
        foreach (var row in report.Rows)
        {
            string[] topKCell = topK > 0 ? [ComparisonReport.Spread(row.TopKAccuracy, row.TopKAccuracyStd, "P2")] : [];
            table.AddRow([
                row.Rank?.ToString() ?? "", row.Trial.ToString(), Markup.Escape(row.Candidate),
                ComparisonReport.Spread(row.MicroAccuracy, row.MicroAccuracyStd, "P2"), ComparisonReport.Spread(row.MacroAccuracy, row.MacroAccuracyStd, "P2"),
                .. topKCell, ComparisonReport.Spread(row.LogLoss, row.LogLossStd, "F4"), $"{row.Parameters:N0}", $"{row.MultiplyAdds:N0}",
                $"{row.TrainingSeconds:F1}", $"{row.InferenceMillisecondsPerImage:F3}", Markup.Escape(row.StatusText)]);
        }
        console.Write(table);
    }
}
