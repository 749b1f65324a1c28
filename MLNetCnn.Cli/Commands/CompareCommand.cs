using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Microsoft.ML;
using MLNetCnn.Cli.Data;
using MLNetCnn.Cli.Reports;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Runtime;
using MLNetCnn.Studies;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary>
/// <c>mlnetcnn compare</c>: trains and evaluates several architectures and settings on one data set within a budget, prints
/// the leaderboard and writes it (CSV, JSON, Markdown, a chart) with the best model.
/// </summary>
internal static class CompareCommand
{
    public static Command Create(CliConsole console)
    {
        var flags = new CompareFlags();
        var command = new Command("compare", "Compare architectures and training settings within a time budget: a leaderboard (table, CSV, JSON, Markdown), " +
            "a chart of accuracy against training time, and the best model. With --storage, trials live in a study store: a killed run resumes, " +
            "and mlnetcnn worker processes on other machines share the work.");
        flags.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var settings = flags.Read(parse);
            string folder = settings.Output ?? Path.Combine("runs", $"compare-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
            Compare(console, settings, folder, StudyArguments(parse));
        }));
        return command;
    }

    /// <summary>The compare options and the data a comparison or a worker trains on, read the same way for both.</summary>
    internal sealed record Prepared(MLContext MLContext, IDataView Data, string Description, string Evaluation);

    /// <summary>Checks the settings, opens the data and fills in what depends on it (channels, label keys, progress lines).</summary>
    internal static Prepared Prepare(CliConsole console, CompareSettings settings)
    {
        var options = settings.Experiment;
        foreach (var name in options.SearchSpace!.Architectures.Where(name => !ModelZoo.Contains(name)))
            throw new ArgumentException($"Unknown architecture '{name}'. Registered: {string.Join(", ", ModelZoo.Names)}.");
        if (settings.Channels is not (null or 1 or 3))
            throw new ArgumentException($"--channels must be 1 (grey) or 3 (RGB), not {settings.Channels}.");
        DeviceSelector.Select(options.Trainer.Device);   // a missing GPU fails here once, not in every trial
        var mlContext = new MLContext(seed: options.Seed);
        var source = DataSource.Open(settings.DataPath);
        options.Trainer.ImageChannels = settings.Channels ?? (source.IsImageFiles ? 3 : 0);
        options.Preprocessing = LabelKeys.Map(mlContext, CnnColumnNames.Label, source.ClassNames);
        options.OnTrialStart = (number, candidate) => console.Ansi.MarkupLineInterpolated($"Trial {number}: [bold]{candidate.ToString()}[/]");
        options.OnTrialEnd = trial => console.Output.WriteLine($"  Trial {trial.TrialNumber}: {Outcome(trial)}");
        var data = source.Load(mlContext, DataSplit.Train, settings.Request);
        TrainCommand.ReportSkipped(console, settings.Request.Skipped);
        if (settings.Augmentation is { } augmentation)
            options.Augmentation = augmentation.Create(mlContext, AugmentationRecipe.ShapeOf(data.Schema[CnnColumnNames.Features]));
        string evaluation = options.CrossValidationFolds > 0
            ? $"{options.CrossValidationFolds}-fold cross-validation"
            : string.Create(CultureInfo.InvariantCulture, $"a {options.HoldoutFraction:P0} holdout");
        string description = source.HasSplits ? $"the training split of {source.Description}" : source.Description;
        return new Prepared(mlContext, data, description, evaluation);
    }

    private static void Compare(CliConsole console, CompareSettings settings, string folder, StudySettings studySettings)
    {
        var options = settings.Experiment;
        var (mlContext, data, description, evaluation) = Prepare(console, settings);
        console.Ansi.MarkupLineInterpolated($"Comparing on {description}, {evaluation}, ranked by {options.OptimizationMetric}.");

        using var result = settings.Storage is { } storageUrl
            ? ExecuteInStudy(console, settings, mlContext.CreateCnnExperiment(options), data, storageUrl, studySettings)
            : mlContext.CreateCnnExperiment(options).Execute(data);
        string? modelPath = null;
        if (result.BestModel is { } best)
        {
            modelPath = Path.Combine(folder, TrainCommand.ModelFileName);
            var predictedLabels = mlContext.Transforms.Conversion.MapKeyToValue(CnnColumnNames.PredictedLabel).Fit(best.Transform(data));
            mlContext.Model.SaveAtomically(best.Append(predictedLabels), data.Schema, modelPath);
        }
        var report = new ComparisonReport
        {
            Data = description,
            Evaluation = evaluation,
            OptimizationMetric = result.OptimizationMetric,
            TimeBudgetSeconds = options.TimeBudget?.TotalSeconds,
            BudgetExhausted = result.BudgetExhausted,
            ElapsedSeconds = result.Elapsed.TotalSeconds,
            BestModel = modelPath is null ? null : Path.GetFullPath(modelPath),
            Rows = LeaderboardRow.From(result),
        }.Write(folder);
        LeaderboardTable.Print(console.Ansi, report);
        if (result.BudgetExhausted)
            console.Output.WriteLine("The time budget ran out before every candidate had run.");
        if (modelPath is null)
            throw new InvalidOperationException($"No trial completed: see why in the leaderboard in '{Path.GetFullPath(folder)}'.");
        console.Ansi.MarkupLineInterpolated($"Saved the best model ({TrainCommand.ModelFileName}) and the leaderboard ({ComparisonReport.MarkdownFile}) in [bold]{Path.GetFullPath(folder)}[/].");
    }

    private static CnnExperimentResult ExecuteInStudy(CliConsole console, CompareSettings settings, CnnExperiment experiment, IDataView data,
        string storageUrl, StudySettings studySettings)
    {
        var storage = CnnStudyStorage.Open(storageUrl);
        var study = CnnStudy.CreateOrLoad(storage, settings.StudyName!, studySettings.ToJson());
        var trials = study.Trials();
        if (trials.Count > 0)
        {
            int done = trials.Count(t => t.IsFinished);
            console.Output.WriteLine($"Resuming study '{study.Name}' in {storage.Url}: {done} of {trials.Count} trials finished.");
        }
        else
        {
            console.Output.WriteLine($"Study '{study.Name}' in {storage.Url}.");
        }
        if (!settings.Train)
            console.Output.WriteLine($"Waiting for workers: mlnetcnn worker --storage {storage.Url} --study {study.Name}");
        return experiment.Execute(data, study, settings.StudyOptions(console));
    }

    /// <summary>What a worker needs to rebuild this comparison: the arguments as given, and the data's full path.</summary>
    private static StudySettings StudyArguments(ParseResult parse)
    {
        var arguments = new List<string>();
        foreach (var token in parse.Tokens.Where(t => t.Type is TokenType.Option or TokenType.Argument && t.Value != "--verbose"))
        {
            // A relative --data path would resolve against each worker's own folder.
            bool isData = arguments.Count > 0 && arguments[^1] is "--data" or "-d" && token.Type == TokenType.Argument;
            arguments.Add(isData ? Path.GetFullPath(token.Value) : token.Value);
        }
        return new StudySettings(arguments);
    }

    private static string Outcome(CnnTrialResult trial) => trial.Status switch
    {
        CnnTrialStatus.Completed => string.Create(CultureInfo.InvariantCulture,
            $"micro accuracy {trial.MicroAccuracy!.Value.Mean:P2}, log-loss {trial.LogLoss!.Value.Mean:F4}, {trial.TrainingTime.TotalSeconds:F1} s"),
        CnnTrialStatus.Failed => $"failed: {trial.Error}",
        CnnTrialStatus.Pruned => $"stopped by successive halving after epoch {trial.PrunedAtEpoch}, {trial.TrainingTime.TotalSeconds:F1} s",
        _ => $"stopped at the time budget after {trial.TrainingTime.TotalSeconds:F1} s",
    };

    /// <summary>Reads <c>--time-budget</c> (or another duration flag): seconds, or a number with s, m or h.</summary>
    internal static TimeSpan ParseDuration(string text, string flag = "--time-budget")
    {
        string trimmed = text.Trim();
        var (number, unit) = trimmed.Length > 0 && char.IsLetter(trimmed[^1]) ? (trimmed[..^1], char.ToLowerInvariant(trimmed[^1])) : (trimmed, 's');
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && double.IsFinite(value)
            && unit is 's' or 'm' or 'h')
        {
            return TimeSpan.FromSeconds(value * unit switch { 'h' => 3600, 'm' => 60, _ => 1 });
        }
        throw new ArgumentException($"{flag} must be a positive number of seconds, or a number with s, m or h (90s, 10m, 1.5h), not '{text}'.");
    }
}
