using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Augmentation;
using MLNetCnn.Cli.Data;
using MLNetCnn.Cli.Progress;
using MLNetCnn.Cli.Reports;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Pretrained;
using MLNetCnn.Runtime;
using MLNetCnn.Training;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary><c>mlnetcnn train</c>: trains a CNN, evaluates it on test data, and saves the model and a report in a run folder.</summary>
internal static class TrainCommand
{
    public const string ModelFileName = "model.zip";

    public static Command Create(CliConsole console)
    {
        var data = CommonOptions.Data("the embedded Fashion-MNIST subset (6,000 training and 1,000 test images)");
        var architecture = new Option<string?>("--arch") { Description = $"The architecture: {string.Join(", ", ModelZoo.Names)}; default: {TrainDefaults.Architecture}, or that of --weights." };
        var weights = new Option<string?>("--weights")
        {
            Description = "Fine-tune pretrained weights (a torchvision state dict saved by torch.save, .pt/.pth, or as .safetensors, or a file from scripts/convert_torchvision.py): their network with a new classifier head for the data's classes, images standardised as the weights expect.",
        };
        var frozenBackboneEpochs = new Option<int>("--freeze-backbone-epochs") { Description = "Epochs at the start during which only the classifier head learns (as many as --epochs: throughout)." };
        var backboneLearningRateFactor = new Option<double>("--backbone-lr-factor")
        {
            Description = "The backbone's learning rate as a multiple of --lr, e.g. 0.1 when fine-tuning.",
            DefaultValueFactory = _ => CommonOptions.TrainerDefaults.BackboneLearningRateFactor,
        };
        var epochs = new Option<int?>("--epochs")
        {
            Description = "Passes over the training data; " +
                $"default: {TrainDefaults.Describe(TrainDefaults.Recipe.Epochs, TrainDefaults.Otherwise.Epochs)}.",
        };
        var batchSize = CommonOptions.BatchSize();
        var learningRate = new Option<double?>("--lr")
        {
            Description = "Learning rate (the peak of a schedule); " +
                $"default: {TrainDefaults.Describe(TrainDefaults.Recipe.LearningRate, TrainDefaults.Otherwise.LearningRate)}.",
        };
        var device = CommonOptions.Device();
        var seed = CommonOptions.Seed("Seed for initialisation, shuffling and splits.");
        var validationFraction = new Option<double>("--validation-fraction") { Description = "Share of the training data held out to validate after every epoch (0 for none).", DefaultValueFactory = _ => 0.1 };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share held out for testing when the data has no test split.", DefaultValueFactory = _ => 0.2 };
        var imageSize = new Option<string?>("--image-size") { Description = "Image files are resized to this: N (square) or WIDTHxHEIGHT; default: 32, or 224 with --weights." };
        var channels = CommonOptions.Channels();
        var skipUnreadable = CommonOptions.SkipUnreadable();
        var maxImagePixels = CommonOptions.MaxImagePixels();
        var cache = CommonOptions.Cache();
        var output = new Option<string?>("--output", "-o") { Description = $"The run folder for {ModelFileName} and the report; default: runs/ARCH-TIME." };
        var topLosses = CommonOptions.TopLosses();
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an --output folder that already holds files (by default it is refused)." };
        var augment = new Option<string?>("--augment")
        {
            Description = "Training-only augmentation: comma-separated stages, applied in order, each with an optional setting (name=value): " +
                $"{AugmentationRecipe.Help}. For example crop,hflip (CIFAR) or crop-to=224,hflip,lighting with --image-size 256 --tta tencrop (AlexNet).",
        };
        var optimization = new OptimizationFlags();
        var schedule = new ScheduleFlags(parse => TrainDefaults.For(parse.GetValue(architecture), parse.GetValue(weights)),
            TrainDefaults.Describe(TrainDefaults.Recipe.Schedule, TrainDefaults.Otherwise.Schedule));
        var recipe = new RecipeFlags();
        var runControl = new RunControlFlags();
        var imbalance = new ImbalanceFlags();

        var command = new Command("train", "Train a CNN, evaluate it on the test data, and save the model and a report (metrics.json, plots, report.md).")
        {
            data, architecture, weights, frozenBackboneEpochs, backboneLearningRateFactor, epochs, batchSize, learningRate, device, seed,
            validationFraction, testFraction, imageSize, channels, skipUnreadable, maxImagePixels, cache, output, overwrite, augment,
            topLosses,
        };
        optimization.AddTo(command);
        schedule.AddTo(command);
        recipe.AddTo(command);
        runControl.AddTo(command);
        imbalance.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            string? weightsFile = parse.GetValue(weights);
            string arch = parse.GetValue(architecture) ?? (weightsFile is null ? TrainDefaults.Architecture : PretrainedWeights.Read(weightsFile).Architecture);
            var defaults = TrainDefaults.For(parse.GetValue(architecture), weightsFile);
            var (width, height) = ParseImageSize(parse.GetValue(imageSize) ?? (weightsFile is null ? "32" : "224"));
            var options = new CnnClassificationTrainer.Options
            {
                Architecture = arch,
                PretrainedWeights = weightsFile,
                FrozenBackboneEpochs = parse.GetValue(frozenBackboneEpochs),
                BackboneLearningRateFactor = parse.GetValue(backboneLearningRateFactor),
                Epochs = parse.GetValue(epochs) ?? defaults.Epochs,
                BatchSize = parse.GetValue(batchSize),
                LearningRate = parse.GetValue(learningRate) ?? defaults.LearningRate,
                Device = parse.GetValue(device),
                Seed = parse.GetValue(seed),
                ValidationFraction = parse.GetValue(validationFraction),
                FeatureColumnName = CnnColumnNames.Features,
                CacheDirectory = parse.GetValue(cache),
                SkipUnreadableImages = parse.GetValue(skipUnreadable),
            };
            optimization.ApplyTo(parse, options);
            schedule.ApplyTo(parse, options);
            recipe.ApplyTo(parse, options);
            runControl.ApplyTo(parse, options);
            imbalance.ApplyTo(parse, options);
            var augmentation = parse.GetValue(augment) is { } stages ? AugmentationRecipe.Parse(stages, "--augment") : null;
            string folder = parse.GetValue(output) ?? Path.Combine("runs", $"{arch}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
            var request = new ImageRequest(CnnColumnNames.Features, width, height, parse.GetValue(skipUnreadable), parse.GetValue(maxImagePixels));
            Train(console, parse.GetValue(data), options, augmentation, parse.GetValue(channels), parse.GetValue(testFraction), request, folder,
                parse.GetValue(overwrite), CommonOptions.TopLossCount(parse, topLosses));
        }));
        return command;
    }

    private static void Train(CliConsole console, string? dataPath, CnnClassificationTrainer.Options options, AugmentationRecipe? augmentation,
        int? channels, double testFraction, ImageRequest request, string folder, bool overwrite, int topLossCount)
    {
        string architecture = options.Architecture!;
        if (augmentation?.CropSize is { } cropSize && options.TestTimeAugmentation != TestTimeAugmentation.TenCrop)
        {
            throw new ArgumentException($"--augment crop-to={cropSize} makes the network's input {cropSize}x{cropSize}, smaller than the images: " +
                "score the test images with --tta tencrop.");
        }
        if (!ModelZoo.Contains(architecture))
            throw new ArgumentException($"Unknown architecture '{architecture}'. Registered: {string.Join(", ", ModelZoo.Names)}.");
        if (channels is not (null or 1 or 3))
            throw new ArgumentException($"--channels must be 1 (grey) or 3 (RGB), not {channels}.");
        if (testFraction is <= 0 or >= 1)
            throw new ArgumentException($"--test-fraction must be between 0 and 1, not {testFraction}.");
        using var runFolder = RunFolder.Begin(folder, overwrite || options.Resume, options.CheckpointFolder);
        var mlContext = new MLContext(seed: options.Seed);
        var source = DataSource.Open(dataPath);
        options.ImageChannels = channels ?? (source.IsImageFiles ? 3 : 0);
        var (train, test) = source.HasSplits
            ? (source.Load(mlContext, DataSplit.Train, request), source.Load(mlContext, DataSplit.Test, request))
            : Split(mlContext, source.Load(mlContext, DataSplit.Train, request), testFraction, options.Seed);
        var validation = source.LoadValidation(mlContext, request);
        if (source.ClassNames is null)
        {
            CheckClassesKnown(train, test, "test");
            if (validation is not null)
                CheckClassesKnown(train, validation, "validation");
        }
        if (validation is not null)
            options.ValidationFraction = 0;
        ReportSkipped(console, request.Skipped);
        var augmentationStages = augmentation?.Create(mlContext, AugmentationRecipe.ShapeOf(train.Schema[CnnColumnNames.Features]));
        if (augmentation is not null)
            console.Output.WriteLine($"Augmenting the training images: {augmentation}.");
        console.Ansi.MarkupLineInterpolated($"Training [bold]{architecture}[/]{(options.PretrainedWeights is { } weights ? $" from {weights}" : "")} on {source.Description}{(source.HasSplits ? "" : $" ({testFraction:P0} held out for testing)")}{(validation is null ? "" : ", validating on its validation split")}.");

        using var interrupt = new CancellationTokenSource();
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal =>
        {
            // The first Ctrl-C stops after the current step; a second one ends the process as usual.
            signal.Cancel = !interrupt.IsCancellationRequested;
            interrupt.Cancel();
        });
        options.Cancellation = interrupt.Token;
        options.ReturnBestModelOnCancel = true;
        TransformerChain<ITransformer> model;
        try
        {
            model = TrainingProgress.Run(console, options.Epochs, progress =>
            {
                options.OnEpochEnd = progress.Epoch;
                options.OnStepEnd = progress.Step;
                return Fit(mlContext, source, options, augmentationStages, train, validation);
            });
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            throw new OperationCanceledException($"Interrupted (Ctrl-C) before the first epoch ended: nothing to save. {ResumeHint(options)}");
        }
        using var classifier = model.OfType<CnnClassificationTransformer>().Single();
        console.Output.WriteLine(classifier.TrainingHistory.ToString());
        var trained = classifier.Model;
        bool channelsLast = trained.Layout.UsesChannelsLast(trained.Architecture, trained.Device);
        console.Output.WriteLine($"Memory layout: {(channelsLast ? "channels-last" : "channels-first")}.");
        if (trained.Layout == TensorLayout.ChannelsLast && !TensorLayouts.ChannelsLastSupported(trained.Device))
            console.Error.WriteLine(
                "note: channels-last is off on this CPU: it does not describe its caches, " +
                "and ONEDNN_MAX_CPU_ISA lets libtorch use kernels that need them.");
        if (classifier.TrainingHistory.Divergence is { } divergence)
            console.Error.WriteLine($"warning: {divergence}");
        var topLosses = topLossCount > 0 ? new TopLosses(classifier, topLossCount) : null;
        var evaluation = Evaluation.Compute(mlContext, classifier, test, topLosses: topLosses);
        EvaluationTables.Print(console.Ansi, evaluation);

        mlContext.Model.SaveAtomically(model, train.Schema, Path.Combine(runFolder.Staging, ModelFileName));
        ReportFolder.Write(runFolder.Staging, new RunReport
        {
            Command = "train",
            Model = Path.Combine(runFolder.Target, ModelFileName),
            Architecture = architecture,
            Input = classifier.Model.Spec.Input.ToString(),
            TrainingData = source.Description,
            TestData = source.HasSplits ? $"the test split of {source.Description}" : $"{testFraction:P0} of {source.Description}",
            Training = new TrainingSettings(options.Epochs, options.BatchSize, options.LearningRate, options.Optimizer, classifier.Model.Device.ToString(),
                options.Seed ?? 0, options.ValidationFraction),
            History = [.. classifier.TrainingHistory.Select(EpochRecord.From)],
            Test = TestMetrics.From(evaluation),
            SkippedImages = request.Skipped,
        }, classifier.TrainingHistory, evaluation, classifier.Model,
            topLosses?.Highest);
        runFolder.Commit();
        console.Ansi.MarkupLineInterpolated($"Saved the model and the report ({ReportFolder.SummaryFile}) in [bold]{runFolder.Target}[/].");
        if (classifier.TrainingHistory.Outcome == TrainingOutcome.Cancelled)
        {
            throw new OperationCanceledException($"Interrupted (Ctrl-C) after epoch {classifier.TrainingHistory.Count} of {options.Epochs}: " +
                $"saved the model of epoch {classifier.TrainingHistory.RestoredEpoch ?? classifier.TrainingHistory.Count} in '{runFolder.Target}'. {ResumeHint(options)}");
        }
    }

    private static string ResumeHint(CnnClassificationTrainer.Options options) => options.CheckpointFolder is { } checkpoints
        ? $"To continue, run the same command with --resume (checkpoints in '{checkpoints}')."
        : "To be able to resume an interrupted run, train with --checkpoints DIR.";

    /// <summary>
    /// Maps labels to keys, trains on the augmented images (validating on <paramref name="validation"/> when given) and maps predictions back
    /// to labels; the augmentation stages are training-only, so the model holds none of them.
    /// </summary>
    private static TransformerChain<ITransformer> Fit(MLContext mlContext, DataSource source, CnnClassificationTrainer.Options options,
        IEstimator<ITransformer>? augmentation, IDataView train, IDataView? validation)
    {
        var keys = LabelKeys.Map(mlContext, CnnColumnNames.Label, source.ClassNames).Fit(train);
        var keyedTrain = keys.Transform(train);
        var trainingInput = augmentation is null ? keyedTrain : augmentation.Fit(keyedTrain).Transform(keyedTrain);
        var classifier = mlContext.MulticlassClassification.Trainers.Cnn(options).Fit(trainingInput, validation is null ? null : keys.Transform(validation));
        var labels = mlContext.Transforms.Conversion.MapKeyToValue(CnnColumnNames.PredictedLabel).Fit(classifier.Transform(keyedTrain));
        return new TransformerChain<ITransformer>(keys, classifier, labels);
    }

    /// <summary>Refuses, before training, data whose classes the training data lacks: the model could never predict them.</summary>
    private static void CheckClassesKnown(IDataView train, IDataView other, string otherName)
    {
        static HashSet<string> Classes(IDataView data) =>
            [.. data.GetColumn<ReadOnlyMemory<char>>(CnnColumnNames.Label).Select(label => label.ToString())];
        var unknown = Classes(other).Except(Classes(train)).Order(StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidDataException($"The {otherName} data has class{(unknown.Length == 1 ? "" : "es")} {string.Join(", ", unknown.Select(c => $"'{c}'"))} " +
                "that the training data lacks: add training images of it, or remove it from the " + otherName + " data.");
        }
    }

    /// <summary>Reports image files left out, by count and name.</summary>
    internal static void ReportSkipped(CliConsole console, IReadOnlyList<UnreadableImage> skipped)
    {
        if (skipped.Count == 0)
            return;
        console.Output.WriteLine($"Skipped {skipped.Count} unreadable image file{(skipped.Count == 1 ? "" : "s")}:");
        foreach (var image in skipped.Take(10))
            console.Output.WriteLine($"  {image}");
        if (skipped.Count > 10)
            console.Output.WriteLine($"  ... and {skipped.Count - 10} more.");
    }

    private static (IDataView Train, IDataView Test) Split(MLContext mlContext, IDataView data, double testFraction, int? seed)
    {
        var split = mlContext.Data.TrainTestSplit(data, testFraction, seed: seed);
        return (split.TrainSet, split.TestSet);
    }

    /// <summary>Reads <c>--image-size</c>: N (square) or WIDTHxHEIGHT.</summary>
    internal static (int Width, int Height) ParseImageSize(string text)
    {
        var parts = text.Split('x', 'X');
        if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v is > 0 and <= 4096))
        {
            int width = int.Parse(parts[0], CultureInfo.InvariantCulture);
            return (width, parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : width);
        }
        throw new ArgumentException($"--image-size must be N or WIDTHxHEIGHT (1 to 4096 pixels), not '{text}'.");
    }
}
