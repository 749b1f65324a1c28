using System.CommandLine;
using System.Text.Json;
using MLNetCnn.Cli.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Studies;

namespace MLNetCnn.Cli.Commands;

/// <summary>
/// The options of <c>mlnetcnn compare</c>, read into experiment options in one place: by <c>compare</c> itself, and by
/// <c>mlnetcnn worker</c> from the arguments a study stores, so that workers train exactly what the comparison asked for.
/// </summary>
internal sealed class CompareFlags
{
    private readonly Option<string?> _data = CommonOptions.Data("the embedded Fashion-MNIST subset (its 6,000 training images)");
    private readonly Option<string[]> _architectures = new("--arch")
    {
        Description = $"Architectures to compare, space- or comma-separated: {string.Join(", ", ModelZoo.Names)}.",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => ["lenet5", "resnet20", "mobilenet-v1-0.25"],
    };
    private readonly Option<double[]> _learningRates = new("--lr") { Description = "Learning rates to try.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [1e-3] };
    private readonly Option<int[]> _batchSizes = new("--batch-size") { Description = "Mini-batch sizes to try.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [64] };
    private readonly Option<int[]> _epochs = new("--epochs") { Description = "Epoch counts to try.", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [5] };
    private readonly Option<string> _augment = new("--augment")
    {
        Description = "Training-only augmentation: off; on (the experiment's default: shifts of up to an eighth of the side and mirroring); " +
            "a list of stages as train's --augment takes them; or both, or both:STAGES, to try every combination without and with it.",
        DefaultValueFactory = _ => "off",
    };
    private readonly Option<CnnSearchStrategy> _search = new("--search")
    {
        Description = "grid: every combination, architectures first; random: combinations in a random order without repeats.",
        DefaultValueFactory = _ => CnnSearchStrategy.Grid,
    };
    private readonly Option<int?> _maxTrials = new("--max-trials") { Description = "The most trials to run; default: every combination." };
    private readonly Option<string?> _timeBudget = new("--time-budget")
    {
        Description = "Wall-clock limit for the whole comparison, as seconds or with a unit (90s, 10m, 1.5h); the running trial stops at it.",
    };
    private readonly Option<int> _folds = new("--folds") { Description = "k-fold cross-validation with k folds (at least 2); 0 evaluates on a holdout.", DefaultValueFactory = _ => 0 };
    private readonly Option<double> _holdoutFraction = new("--holdout-fraction") { Description = "Share of the data held out to evaluate each trial when --folds is 0.", DefaultValueFactory = _ => 0.2 };
    private readonly Option<CnnExperimentMetric> _metric = new("--metric")
    {
        Description = "The metric to rank by: MicroAccuracy, MacroAccuracy or LogLoss.",
        DefaultValueFactory = _ => CnnExperimentMetric.MicroAccuracy,
    };
    private readonly Option<Runtime.ComputeDevice> _device = CommonOptions.Device();
    private readonly Option<int> _seed = CommonOptions.Seed("Seed for splits, search order, initialisation and shuffling.");
    private readonly Option<string> _imageSize = CommonOptions.ImageSize();
    private readonly Option<int?> _channels = CommonOptions.Channels();
    private readonly Option<bool> _skipUnreadable = CommonOptions.SkipUnreadable();
    private readonly Option<long> _maxImagePixels = CommonOptions.MaxImagePixels();
    private readonly Option<string?> _cache = CommonOptions.Cache();
    private readonly Option<string?> _output = new("--output", "-o") { Description = "The folder for the leaderboard, the chart and the best model; default: runs/compare-TIME." };
    private readonly Option<string?> _storage = StudyFlags.Storage();
    private readonly Option<string?> _study = StudyFlags.Study();
    private readonly Option<string?> _lease = StudyFlags.Lease();
    private readonly Option<bool> _waitForWorkers = new("--wait-for-workers")
    {
        Description = "With --storage: queue the trials and wait for mlnetcnn worker processes to run them, training none here.",
    };
    private readonly Option<bool> _successiveHalving = new("--successive-halving")
    {
        Description = "Stop trials that fall behind at rungs of epochs (asynchronous successive halving): at epoch --min-epochs, then " +
            "--reduction-factor times as many, only the best 1 in --reduction-factor of the trials so far go on.",
    };
    private readonly Option<int> _minEpochs = new("--min-epochs") { Description = "The first rung's epoch (--successive-halving).", DefaultValueFactory = _ => 1 };
    private readonly Option<int> _reductionFactor = new("--reduction-factor")
    {
        Description = "Rungs grow and trials thin by this factor (--successive-halving).",
        DefaultValueFactory = _ => 2,
    };
    private readonly OptimizationFlags _optimization = new();
    private readonly ScheduleFlags _schedule = new(CommonOptions.TrainerDefaults);
    private readonly RecipeFlags _recipe = new();
    private readonly ImbalanceFlags _imbalance = new();

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[]
        {
            _data, _architectures, _learningRates, _batchSizes, _epochs, _augment, _search, _maxTrials, _timeBudget, _folds, _holdoutFraction, _metric,
            _device, _seed, _imageSize, _channels, _skipUnreadable, _maxImagePixels, _cache, _output, _storage, _study, _lease, _waitForWorkers,
            _successiveHalving, _minEpochs, _reductionFactor,
        })
        {
            command.Add(option);
        }
        _optimization.AddTo(command);
        _schedule.AddTo(command);
        _recipe.AddTo(command);
        _imbalance.AddTo(command);
    }

    /// <summary>Reads the parsed options into experiment options and the comparison's other settings.</summary>
    public CompareSettings Read(ParseResult parse)
    {
        var (width, height) = TrainCommand.ParseImageSize(parse.GetValue(_imageSize)!);
        var request = new ImageRequest(CnnColumnNames.Features, width, height, parse.GetValue(_skipUnreadable), parse.GetValue(_maxImagePixels));
        var (augmentation, augmentChoices) = ParseAugment(parse.GetValue(_augment)!);
        var options = new CnnExperiment.Options
        {
            SearchSpace = new CnnSearchSpace
            {
                Architectures = [.. parse.GetValue(_architectures)!.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
                LearningRates = [.. parse.GetValue(_learningRates)!],
                BatchSizes = [.. parse.GetValue(_batchSizes)!],
                Epochs = [.. parse.GetValue(_epochs)!],
                Augmentation = augmentChoices,
            },
            SearchStrategy = parse.GetValue(_search),
            MaxTrials = parse.GetValue(_maxTrials),
            TimeBudget = parse.GetValue(_timeBudget) is { } budget ? CompareCommand.ParseDuration(budget) : null,
            CrossValidationFolds = parse.GetValue(_folds),
            HoldoutFraction = parse.GetValue(_holdoutFraction),
            OptimizationMetric = parse.GetValue(_metric),
            SuccessiveHalving = parse.GetValue(_successiveHalving)
                ? new CnnSuccessiveHalving { MinEpochs = parse.GetValue(_minEpochs), ReductionFactor = parse.GetValue(_reductionFactor) }
                : null,
            Seed = parse.GetValue(_seed),
            Trainer = new CnnClassificationTrainer.Options
            {
                Device = parse.GetValue(_device), Seed = parse.GetValue(_seed), CacheDirectory = parse.GetValue(_cache),
                SkipUnreadableImages = parse.GetValue(_skipUnreadable),
            },
        };
        _optimization.ApplyTo(parse, options.Trainer);
        _schedule.ApplyTo(parse, options.Trainer);
        _recipe.ApplyTo(parse, options.Trainer);
        _imbalance.ApplyTo(parse, options.Trainer);
        if (augmentation?.CropSize is not null && augmentChoices.Contains(false))
            throw new ArgumentException("--augment: crop-to changes the network's input size, so every trial must use it: drop both.");
        string? storage = parse.GetValue(_storage);
        string? study = parse.GetValue(_study);
        bool wait = parse.GetValue(_waitForWorkers);
        if (storage is null && (study is not null || wait))
            throw new ArgumentException($"{(wait ? "--wait-for-workers" : "--study")} needs --storage (sqlite:///PATH or postgresql://...).");
        if (storage is not null && study is null)
            throw new ArgumentException("--storage needs --study NAME: the study to create, resume or share.");
        return new CompareSettings(options, augmentation, parse.GetValue(_data), parse.GetValue(_channels), request, parse.GetValue(_output), storage,
            study, StudyFlags.ParseLease(parse.GetValue(_lease)), !wait);
    }

    /// <summary>Reads <c>--augment</c>: the stages (null for the experiment's default), and whether trials train without them, with them,
    /// or both ways.</summary>
    private static (AugmentationRecipe? Stages, List<bool> Choices) ParseAugment(string text)
    {
        string value = text.Trim();
        return value.ToLowerInvariant() switch
        {
            "off" => (null, [false]),
            "on" => (null, [true]),
            "both" => (null, [false, true]),
            _ when value.StartsWith("both:", StringComparison.OrdinalIgnoreCase) => (AugmentationRecipe.Parse(value[5..], "--augment"), [false, true]),
            _ => (AugmentationRecipe.Parse(value, "--augment"), [true]),
        };
    }
}

/// <summary>A comparison's settings, read from its command line (see <see cref="CompareFlags"/>).</summary>
internal sealed record CompareSettings(CnnExperiment.Options Experiment, AugmentationRecipe? Augmentation, string? DataPath, int? Channels, ImageRequest Request, string? Output,
    string? Storage, string? StudyName, TimeSpan Lease, bool Train)
{
    /// <summary>How this process takes part in the study, its messages written to the console.</summary>
    public CnnStudyOptions StudyOptions(CliConsole console) => new()
    {
        Lease = Lease,
        Train = Train,
        OnMessage = message => console.Output.WriteLine(message),
    };
}

/// <summary>What a study created by <c>compare</c> stores for its workers: the comparison's arguments and the data's full path.</summary>
internal sealed record StudySettings(IReadOnlyList<string> Arguments)
{
    public string ToJson() => JsonSerializer.Serialize(this);

    public static StudySettings FromJson(string json, string studyName)
    {
        try
        {
            return JsonSerializer.Deserialize<StudySettings>(json) ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"The study '{studyName}' was not created by mlnetcnn compare (its settings are not a command line: {e.Message}).", e);
        }
    }
}

/// <summary>The options of the study store that <c>compare</c> and <c>worker</c> share.</summary>
internal static class StudyFlags
{
    public static Option<string?> Storage() => new("--storage")
    {
        Description = "Keep the trials in a study store, as Optuna spells it: sqlite:///runs/study.db (a file; the default kind) or " +
            "postgresql://USER:PASSWORD@HOST:5432/DATABASE (shared by workers on many machines).",
    };

    public static Option<string?> Study() => new("--study") { Description = "The study's name in the store: created the first time, resumed after." };

    public static Option<string?> Lease() => new("--lease")
    {
        Description = "How long a trial stays a process's without a heartbeat before it goes back to the queue (seconds or 30s, 2m); default 60s.",
    };

    public static TimeSpan ParseLease(string? text) => text is null ? new CnnStudyOptions().Lease : CompareCommand.ParseDuration(text, "--lease");
}
