using System.Globalization;
using System.Text;
using System.Text.Json;
using MLNetCnn.Estimators;
using MLNetCnn.IO;
using MLNetCnn.Plots;

namespace MLNetCnn.Cli.Reports;

/// <summary>
/// What <c>mlnetcnn compare</c> found, as it writes it: <c>leaderboard.json</c>, <c>leaderboard.csv</c>, <c>leaderboard.md</c>
/// and the chart of accuracy against training time.
/// </summary>
internal sealed record ComparisonReport
{
    public const string JsonFile = "leaderboard.json";
    public const string CsvFile = "leaderboard.csv";
    public const string MarkdownFile = "leaderboard.md";
    public const string ChartFile = "accuracy-vs-training-time.png";

    /// <summary>The data compared on.</summary>
    public required string Data { get; init; }

    /// <summary>How trials were evaluated, for example <c>20 % holdout</c> or <c>5-fold cross-validation</c>.</summary>
    public required string Evaluation { get; init; }

    /// <summary>The metric trials are ranked by.</summary>
    public required CnnExperimentMetric OptimizationMetric { get; init; }

    /// <summary>The time budget in seconds, if there was one.</summary>
    public double? TimeBudgetSeconds { get; init; }

    /// <summary>Whether the budget ended the experiment before every candidate had run.</summary>
    public bool BudgetExhausted { get; init; }

    /// <summary>The experiment's wall-clock time in seconds.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>The best model's file, when a trial completed.</summary>
    public string? BestModel { get; init; }

    /// <summary>The leaderboard, best first.</summary>
    public required IReadOnlyList<LeaderboardRow> Rows { get; init; }

    /// <summary>The chart written beside the tables.</summary>
    public Figure? Chart { get; init; }

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RunReport.Json);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    public static ComparisonReport FromJson(string json) =>
        JsonSerializer.Deserialize<ComparisonReport>(json, RunReport.Json) ?? throw new InvalidDataException("The leaderboard is empty.");

    /// <summary>Draws the chart and writes the JSON, CSV and Markdown files into <paramref name="folder"/>; returns the report with its
    /// chart.</summary>
    public ComparisonReport Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var trials = Rows.Where(r => r.MicroAccuracy is not null)
            .Select(r => new TrialPoint(r.Architecture, r.TrainingSeconds, r.MicroAccuracy!.Value, r.MicroAccuracyStd ?? 0))
            .ToList();
        var complete = this with { Chart = ReportFolder.Save(folder, ChartFile, "Micro accuracy against training time", Charts.AccuracyVersusTrainingTime(trials)) };
        WriteText(Path.Combine(folder, JsonFile), complete.ToJson());
        WriteText(Path.Combine(folder, CsvFile), complete.ToCsv());
        WriteText(Path.Combine(folder, MarkdownFile), complete.ToMarkdown());
        return complete;
    }

    /// <summary>One line per trial, best first, with a header; invariant culture, RFC 4180 quoting.</summary>
    public string ToCsv()
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", LeaderboardRow.CsvHeader));
        foreach (var row in Rows)
            text.AppendLine(string.Join(",", row.CsvFields().Select(Quote)));
        return text.ToString();
    }

    /// <summary>The settings, the leaderboard as a table and the chart.</summary>
    public string ToMarkdown()
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("# CNN comparison").AppendLine();
        text.AppendLine(culture, $"- Data: {Data}, evaluated on {Evaluation}");
        string budget = TimeBudgetSeconds is { } seconds ? string.Create(culture, $" of a {seconds:G4} s budget{(BudgetExhausted ? " (spent)" : "")}") : "";
        text.AppendLine(culture, $"- Ranked by {OptimizationMetric}; {Rows.Count} trials in {ElapsedSeconds:F1} s{budget}");
        text.AppendLine(BestModel is null ? "- No trial completed, so there is no best model." : $"- Best model: `{BestModel}`").AppendLine();
        int topK = TopK;
        string topKHeader = topK > 0 ? $" Top-{topK} accuracy |" : "";
        text.AppendLine($"| Rank | Trial | Candidate | Status | Micro accuracy | Macro accuracy |{topKHeader} Log-loss | Parameters | Mult-adds | Training s | Inference ms/image |");
        text.AppendLine($"|---|---|---|---|---|---|{(topK > 0 ? "---|" : "")}---|---|---|---|---|");
        foreach (var row in Rows)
        {
            string topKCell = topK > 0 ? $" {Spread(row.TopKAccuracy, row.TopKAccuracyStd, "P2")} |" : "";
            text.AppendLine(culture, $"| {row.Rank?.ToString(culture) ?? ""} | {row.Trial} | {Escape(row.Candidate)} | {Escape(row.StatusText)} | " +
                $"{Spread(row.MicroAccuracy, row.MicroAccuracyStd, "P2")} | {Spread(row.MacroAccuracy, row.MacroAccuracyStd, "P2")} |{topKCell} " +
                $"{Spread(row.LogLoss, row.LogLossStd, "F4")} | {row.Parameters:N0} | {row.MultiplyAdds:N0} | {row.TrainingSeconds:F1} | {row.InferenceMillisecondsPerImage:F3} |");
        }
        if (Chart is { } chart)
            text.AppendLine().AppendLine(culture, $"![{chart.Title}]({chart.File})");
        text.AppendLine().AppendLine(culture, $"All numbers: [{JsonFile}]({JsonFile}), [{CsvFile}]({CsvFile}).");
        return text.ToString();
    }

    /// <summary>The k of the trials' top-k accuracy (all share the data, so the k); 0 when none was measured.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int TopK => Rows.Select(r => r.TopK).DefaultIfEmpty(0).Max();

    /// <summary>A mean, with its spread over folds when there is one.</summary>
    public static string Spread(double? mean, double? std, string format) => mean is not { } m ? ""
        : std is > 0 ? $"{m.ToString(format, CultureInfo.InvariantCulture)} ± {std.Value.ToString(format, CultureInfo.InvariantCulture)}"
        : m.ToString(format, CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;

    private static void WriteText(string path, string text) => AtomicFile.Write(path, stream => stream.Write(Encoding.UTF8.GetBytes(text)));
}

/// <summary>One trial of the leaderboard, flattened for files.</summary>
internal sealed record LeaderboardRow(
    int? Rank, int Trial, string Architecture, IReadOnlyDictionary<string, double> ArchitectureOptions, string Candidate, double LearningRate, int BatchSize, int Epochs, bool Augmented, CnnTrialStatus Status,
    string? Error, double? MicroAccuracy, double? MicroAccuracyStd, double? MacroAccuracy, double? MacroAccuracyStd, double? LogLoss, double? LogLossStd,
    long? Parameters, long? MultiplyAdds, double TrainingSeconds, double? InferenceMillisecondsPerImage,
    int TopK = 0, double? TopKAccuracy = null, double? TopKAccuracyStd = null)
{
    public static readonly string[] CsvHeader =
    [
        "rank", "trial", "architecture", "architecture_options", "learning_rate", "batch_size", "epochs", "augmented", "status", "error",
        "micro_accuracy", "micro_accuracy_std", "macro_accuracy", "macro_accuracy_std", "log_loss", "log_loss_std",
        "parameters", "multiply_adds", "training_seconds", "inference_ms_per_image", "top_k", "top_k_accuracy", "top_k_accuracy_std",
    ];

    /// <summary>The status, or the error of a failed trial.</summary>
    public string StatusText => Status switch
    {
        CnnTrialStatus.Completed => "completed",
        CnnTrialStatus.Failed => $"failed: {Error}",
        CnnTrialStatus.Pruned => "stopped by successive halving",
        _ => "stopped at budget",
    };

    /// <summary>The experiment's leaderboard as rows, ranked where completed.</summary>
    public static IReadOnlyList<LeaderboardRow> From(CnnExperimentResult result) =>
        [.. result.Leaderboard.Select((trial, index) => From(trial, trial.Status == CnnTrialStatus.Completed ? index + 1 : null))];

    private static LeaderboardRow From(CnnTrialResult trial, int? rank)
    {
        var candidate = trial.Candidate;
        return new LeaderboardRow(rank, trial.TrialNumber, candidate.Architecture, candidate.ArchitectureOptions, candidate.ToString(), candidate.LearningRate!.Value,
            candidate.BatchSize!.Value, candidate.Epochs!.Value, candidate.Augment, trial.Status, trial.Error,
            trial.MicroAccuracy?.Mean, trial.MicroAccuracy?.StandardDeviation, trial.MacroAccuracy?.Mean, trial.MacroAccuracy?.StandardDeviation,
            trial.LogLoss?.Mean, trial.LogLoss?.StandardDeviation, trial.Parameters, trial.MultiplyAdds, trial.TrainingTime.TotalSeconds,
            trial.InferenceMillisecondsPerImage, trial.TopK, trial.TopKAccuracy?.Mean, trial.TopKAccuracy?.StandardDeviation);
    }

    public IEnumerable<string> CsvFields()
    {
        var culture = CultureInfo.InvariantCulture;
        string Number(double? value) => value?.ToString("R", culture) ?? "";
        string options = string.Join(";", ArchitectureOptions.Select(o => string.Create(culture, $"{o.Key}={o.Value:R}")));
        return
        [
            Rank?.ToString(culture) ?? "", Trial.ToString(culture), Architecture, options, Number(LearningRate), BatchSize.ToString(culture),
            Epochs.ToString(culture), Augmented ? "true" : "false", Status.ToString(), Error ?? "",
            Number(MicroAccuracy), Number(MicroAccuracyStd), Number(MacroAccuracy), Number(MacroAccuracyStd), Number(LogLoss), Number(LogLossStd),
            Parameters?.ToString(culture) ?? "", MultiplyAdds?.ToString(culture) ?? "", Number(TrainingSeconds), Number(InferenceMillisecondsPerImage),
            TopK > 0 ? TopK.ToString(culture) : "", Number(TopKAccuracy), Number(TopKAccuracyStd),
        ];
    }
}
