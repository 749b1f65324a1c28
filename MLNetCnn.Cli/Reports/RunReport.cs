using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetCnn.Estimators;
using MLNetCnn.Training;

namespace MLNetCnn.Cli.Reports;

/// <summary>What a run did and achieved, as <c>metrics.json</c> holds it.</summary>
internal sealed record RunReport
{
    /// <summary>How the reports are written as JSON: indented, camelCase, enums as names, NaN allowed.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The command that made the report: <c>train</c> or <c>evaluate</c>.</summary>
    public required string Command { get; init; }

    /// <summary>The model file.</summary>
    public required string Model { get; init; }

    /// <summary>The network's architecture name.</summary>
    public required string Architecture { get; init; }

    /// <summary>The network's input shape, CxHxW.</summary>
    public required string Input { get; init; }

    /// <summary>The data the model was trained on, for <c>train</c>.</summary>
    public string? TrainingData { get; init; }

    /// <summary>The data the model was evaluated on.</summary>
    public required string TestData { get; init; }

    /// <summary>The training settings, for <c>train</c>.</summary>
    public TrainingSettings? Training { get; init; }

    /// <summary>Each epoch's report, for <c>train</c>.</summary>
    public IReadOnlyList<EpochRecord> History { get; init; } = [];

    /// <summary>The metrics on the test data.</summary>
    public required TestMetrics Test { get; init; }

    /// <summary>Image files left out because they could not be read.</summary>
    public IReadOnlyList<UnreadableImage> SkippedImages { get; init; } = [];

    /// <summary>The test images with the highest loss, highest first, for <c>evaluate</c>.</summary>
    public IReadOnlyList<TopLoss> TopLosses { get; init; } = [];

    /// <summary>The figures written beside this file, with their sizes in pixels.</summary>
    public IReadOnlyList<Figure> Figures { get; init; } = [];

    /// <summary>The report as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads what <see cref="ToJson"/> wrote.</summary>
    public static RunReport FromJson(string json) =>
        JsonSerializer.Deserialize<RunReport>(json, Json) ?? throw new InvalidDataException("The report is empty.");
}

/// <summary>How a model was trained.</summary>
internal sealed record TrainingSettings(int Epochs, int BatchSize, double LearningRate, OptimizerKind Optimizer, string Device, int Seed, double ValidationFraction);

/// <summary>One epoch of training.</summary>
internal sealed record EpochRecord(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationLoss, double? ValidationAccuracy,
    double LearningRate, double ImagesPerSecond, double ElapsedSeconds)
{
    public static EpochRecord From(EpochReport report) => new(report.Epoch, report.TrainLoss, report.TrainAccuracy, report.ValidationLoss,
        report.ValidationAccuracy, report.LearningRate, report.ImagesPerSecond, report.Elapsed.TotalSeconds);
}

/// <summary>Metrics on labelled data; <c>TopK</c> and <c>TopKAccuracy</c> are left out when no top-k accuracy was measured.</summary>
internal sealed record TestMetrics(long Images, double MicroAccuracy, double MacroAccuracy, double LogLoss, IReadOnlyList<ClassMetrics> Classes,
    IReadOnlyList<IReadOnlyList<double>> Confusion, int? TopK = null, double? TopKAccuracy = null)
{
    public static TestMetrics From(Evaluation evaluation) => new(
        evaluation.ImageCount, evaluation.MicroAccuracy, evaluation.MacroAccuracy, evaluation.LogLoss,
        [.. evaluation.ClassNames.Select((name, i) => new ClassMetrics(name, evaluation.Precision[i], evaluation.Recall[i], (long)evaluation.Confusion[i].Sum()))],
        evaluation.Confusion, evaluation.TopKAccuracy is null ? null : evaluation.TopK, evaluation.TopKAccuracy);
}

/// <summary>One class's precision, recall and number of images.</summary>
internal sealed record ClassMetrics(string Name, double Precision, double Recall, long Support);

/// <summary>A PNG written with the report.</summary>
/// <param name="File">Its file name, in the report folder.</param>
/// <param name="Title">What it shows.</param>
/// <param name="Width">Its width in pixels.</param>
/// <param name="Height">Its height in pixels.</param>
internal sealed record Figure(string File, string Title, int Width, int Height);
