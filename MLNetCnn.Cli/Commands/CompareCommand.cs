using System.CommandLine;
using System.Globalization;
using Microsoft.ML;
using MLNetCnn.Cli.Data;
using MLNetCnn.Cli.Reports;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Runtime;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary>
/// <c>mlnetcnn compare</c>: trains and evaluates several architectures and settings on one data set within a budget, prints
/// the leaderboard and writes it (CSV, JSON, Markdown, a chart) with the best model.
/// </summary>
internal static class CompareCommand
{
    /// <summary>Whether candidates train with augmentation.</summary>
    internal enum AugmentChoice
    {
        /// <summary>Without.</summary>
        Off,

        /// <summary>With.</summary>
        On,

        /// <summary>Each combination both ways.</summary>
        Both,
    }

    public static Command Create(CliConsole console)
    {
        var data = CommonOptions.Data("the embedded Fashion-MNIST subset (its 6,000 training images)");
        var architectures = new Option<string[]>("--arch")
        {
            Description = $"Architectures to compare, space- or comma-separated: {string.Join(", ", ModelZoo.Names)}.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => ["lenet5", "resnet20", "mobilenet-v1-0.25"],
        };
        var learningRates = new Option<double[]>("--lr") { Description = "Learning rates to try.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1e-3] };
        var batchSizes = new Option<int[]>("--batch-size") { Description = "Mini-batch sizes to try.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [64] };
        var epochs = new Option<int[]>("--epochs") { Description = "Epoch counts to try.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [5] };
        var augment = new Option<AugmentChoice>("--augment")
        {
            Description = "Train with random shifts and mirroring: off, on, or both (every combination both ways).",
            DefaultValueFactory = _ => AugmentChoice.Off,
        };
        var search = new Option<CnnSearchStrategy>("--search")
        {
            Description = "grid: every combination, architectures first; random: combinations in a random order without repeats.",
            DefaultValueFactory = _ => CnnSearchStrategy.Grid,
        };
        var maxTrials = new Option<int?>("--max-trials") { Description = "The most trials to run; default: every combination." };
        var timeBudget = new Option<string?>("--time-budget")
        {
            Description = "Wall-clock limit for the whole comparison, as seconds or with a unit (90s, 10m, 1.5h); the running trial stops at it.",
        };
        var folds = new Option<int>("--folds") { Description = "k-fold cross-validation with k folds (at least 2); 0 evaluates on a holdout.", DefaultValueFactory = _ => 0 };
        var holdoutFraction = new Option<double>("--holdout-fraction") { Description = "Share of the data held out to evaluate each trial when --folds is 0.", DefaultValueFactory = _ => 0.2 };
        var metric = new Option<CnnExperimentMetric>("--metric")
        {
            Description = "The metric to rank by: MicroAccuracy, MacroAccuracy or LogLoss.",
            DefaultValueFactory = _ => CnnExperimentMetric.MicroAccuracy,
        };
        var device = CommonOptions.Device();
        var seed = new Option<int>("--seed") { Description = "Seed for splits, search order, initialisation and shuffling.", DefaultValueFactory = _ => 1 };
        var imageSize = new Option<string>("--image-size") { Description = "Image files are resized to this: N (square) or WIDTHxHEIGHT.", DefaultValueFactory = _ => "32" };
        var channels = new Option<int?>("--channels") { Description = "Read images as 1 (grey) or 3 (RGB) channels; default: 3 for image files, the data's own otherwise." };
        var skipUnreadable = CommonOptions.SkipUnreadable();
        var maxImagePixels = CommonOptions.MaxImagePixels();
        var cache = CommonOptions.Cache();
        var output = new Option<string?>("--output", "-o") { Description = "The folder for the leaderboard, the chart and the best model; default: runs/compare-TIME." };

        var optimization = new OptimizationFlags();
        var schedule = new ScheduleFlags();
        var imbalance = new ImbalanceFlags();

        var command = new Command("compare", "Compare architectures and training settings within a time budget: a leaderboard (table, CSV, JSON, Markdown), " +
            "a chart of accuracy against training time, and the best model.")
        {
            data, architectures, learningRates, batchSizes, epochs, augment, search, maxTrials, timeBudget, folds, holdoutFraction, metric, device, seed,
            imageSize, channels, skipUnreadable, maxImagePixels, cache, output,
        };
        optimization.AddTo(command);
        schedule.AddTo(command);
        imbalance.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var (width, height) = TrainCommand.ParseImageSize(parse.GetValue(imageSize)!);
            var request = new ImageRequest(CnnColumnNames.Features, width, height, parse.GetValue(skipUnreadable), parse.GetValue(maxImagePixels));
            var options = new CnnExperiment.Options
            {
                SearchSpace = new CnnSearchSpace
                {
                    Architectures = [.. parse.GetValue(architectures)!.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
                    LearningRates = [.. parse.GetValue(learningRates)!],
                    BatchSizes = [.. parse.GetValue(batchSizes)!],
                    Epochs = [.. parse.GetValue(epochs)!],
                    Augmentation = parse.GetValue(augment) switch { AugmentChoice.On => [true], AugmentChoice.Both => [false, true], _ => [false] },
                },
                SearchStrategy = parse.GetValue(search),
                MaxTrials = parse.GetValue(maxTrials),
                TimeBudget = parse.GetValue(timeBudget) is { } budget ? ParseDuration(budget) : null,
                CrossValidationFolds = parse.GetValue(folds),
                HoldoutFraction = parse.GetValue(holdoutFraction),
                OptimizationMetric = parse.GetValue(metric),
                Seed = parse.GetValue(seed),
                Trainer = new CnnClassificationTrainer.Options
                {
                    Device = parse.GetValue(device), Seed = parse.GetValue(seed), CacheDirectory = parse.GetValue(cache),
                    SkipUnreadableImages = parse.GetValue(skipUnreadable),
                },
            };
            optimization.ApplyTo(parse, options.Trainer);
            schedule.ApplyTo(parse, options.Trainer);
            imbalance.ApplyTo(parse, options.Trainer);
            string folder = parse.GetValue(output) ?? Path.Combine("runs", $"compare-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
            Compare(console, parse.GetValue(data), options, parse.GetValue(channels), request, folder);
        }));
        return command;
    }

    private static void Compare(CliConsole console, string? dataPath, CnnExperiment.Options options, int? channels, ImageRequest request, string folder)
    {
        foreach (var name in options.SearchSpace!.Architectures.Where(name => !ModelZoo.Contains(name)))
            throw new ArgumentException($"Unknown architecture '{name}'. Registered: {string.Join(", ", ModelZoo.Names)}.");
        if (channels is not (null or 1 or 3))
            throw new ArgumentException($"--channels must be 1 (grey) or 3 (RGB), not {channels}.");
        DeviceSelector.Select(options.Trainer.Device);   // a missing GPU fails here once, not in every trial
        var mlContext = new MLContext(seed: options.Seed);
        var source = DataSource.Open(dataPath);
        options.Trainer.ImageChannels = channels ?? (source.IsImageFiles ? 3 : 0);
        options.Preprocessing = LabelKeys.Map(mlContext, CnnColumnNames.Label, source.ClassNames);
        options.OnTrialStart = (number, candidate) => console.Ansi.MarkupLineInterpolated($"Trial {number}: [bold]{candidate.ToString()}[/]");
        options.OnTrialEnd = trial => console.Output.WriteLine($"  {Outcome(trial)}");
        var data = source.Load(mlContext, DataSplit.Train, request);
        TrainCommand.ReportSkipped(console, request.Skipped);
        string evaluation = options.CrossValidationFolds > 0
            ? $"{options.CrossValidationFolds}-fold cross-validation"
            : string.Create(CultureInfo.InvariantCulture, $"a {options.HoldoutFraction:P0} holdout");
        string description = source.HasSplits ? $"the training split of {source.Description}" : source.Description;
        console.Ansi.MarkupLineInterpolated($"Comparing on {description}, {evaluation}, ranked by {options.OptimizationMetric}.");

        using var result = mlContext.CreateCnnExperiment(options).Execute(data);
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

    private static string Outcome(CnnTrialResult trial) => trial.Status switch
    {
        CnnTrialStatus.Completed => string.Create(CultureInfo.InvariantCulture,
            $"micro accuracy {trial.MicroAccuracy!.Value.Mean:P2}, log-loss {trial.LogLoss!.Value.Mean:F4}, {trial.TrainingTime.TotalSeconds:F1} s"),
        CnnTrialStatus.Failed => $"failed: {trial.Error}",
        _ => $"stopped at the time budget after {trial.TrainingTime.TotalSeconds:F1} s",
    };

    /// <summary>Reads <c>--time-budget</c>: seconds, or a number with s, m or h.</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        string trimmed = text.Trim();
        var (number, unit) = trimmed.Length > 0 && char.IsLetter(trimmed[^1]) ? (trimmed[..^1], char.ToLowerInvariant(trimmed[^1])) : (trimmed, 's');
        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && value > 0 && double.IsFinite(value)
            && unit is 's' or 'm' or 'h')
        {
            return TimeSpan.FromSeconds(value * unit switch { 'h' => 3600, 'm' => 60, _ => 1 });
        }
        throw new ArgumentException($"--time-budget must be a positive number of seconds, or a number with s, m or h (90s, 10m, 1.5h), not '{text}'.");
    }
}
