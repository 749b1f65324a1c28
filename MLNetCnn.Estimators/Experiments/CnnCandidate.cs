using System.Globalization;

namespace MLNetCnn.Estimators;

/// <summary>
/// One configuration a <see cref="CnnExperiment"/> trains and evaluates: an architecture with its family options, and
/// training settings that replace those of <see cref="CnnExperiment.Options.Trainer"/> where they are set.
/// </summary>
/// <param name="Architecture">A name from <see cref="ModelZoo.Names"/>.</param>
public sealed record CnnCandidate(string Architecture)
{
    /// <summary>Options of the architecture's family, for example <c>alpha</c> for <c>mobilenet-v1</c>; added to the trainer's.</summary>
    public IReadOnlyDictionary<string, double> ArchitectureOptions { get; init; } = new Dictionary<string, double>();

    /// <summary>The learning rate; null takes the trainer's.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Images per mini-batch; null takes the trainer's.</summary>
    public int? BatchSize { get; init; }

    /// <summary>Passes over the training data; null takes the trainer's.</summary>
    public int? Epochs { get; init; }

    /// <summary>Train with the experiment's <see cref="CnnExperiment.Options.Augmentation"/> stages (training only).</summary>
    public bool Augment { get; init; }

    /// <summary>The architecture, its options and the settings that are set, for example <c>resnet20, lr 0.001, batch 32, 2 epochs,
    /// augmented</c>.</summary>
    public override string ToString()
    {
        var culture = CultureInfo.InvariantCulture;
        var parts = new List<string>
        {
            ArchitectureOptions.Count == 0
                ? Architecture
                : $"{Architecture} ({string.Join(", ", ArchitectureOptions.Select(o => string.Create(culture, $"{o.Key}={o.Value:G}")))})",
        };
        if (LearningRate is { } learningRate)
            parts.Add(string.Create(culture, $"lr {learningRate:G3}"));
        if (BatchSize is { } batchSize)
            parts.Add(string.Create(culture, $"batch {batchSize}"));
        if (Epochs is { } epochs)
            parts.Add(string.Create(culture, $"{epochs} epoch{(epochs == 1 ? "" : "s")}"));
        if (Augment)
            parts.Add("augmented");
        return string.Join(", ", parts);
    }

    /// <summary>This candidate with every setting filled in from <paramref name="trainer"/> where it is not set.</summary>
    internal CnnCandidate ResolveWith(CnnClassificationTrainer.Options trainer)
    {
        var options = ToTrainerOptions(trainer, seed: 0, CancellationToken.None);
        return this with
        {
            ArchitectureOptions = options.ArchitectureOptions,
            LearningRate = options.LearningRate,
            BatchSize = options.BatchSize,
            Epochs = options.Epochs,
        };
    }

    /// <summary>A copy of <paramref name="trainer"/> with this candidate's architecture and the settings it sets.</summary>
    internal CnnClassificationTrainer.Options ToTrainerOptions(CnnClassificationTrainer.Options trainer, int seed, CancellationToken cancellation)
    {
        var options = trainer.Clone();
        options.Architecture = Architecture;
        foreach (var (name, value) in ArchitectureOptions)
            options.ArchitectureOptions[name] = value;
        options.LearningRate = LearningRate ?? trainer.LearningRate;
        options.BatchSize = BatchSize ?? trainer.BatchSize;
        options.Epochs = Epochs ?? trainer.Epochs;
        options.Seed = trainer.Seed ?? seed;
        options.Cancellation = cancellation;
        return options;
    }
}
