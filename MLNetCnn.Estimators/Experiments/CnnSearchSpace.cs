namespace MLNetCnn.Estimators;

/// <summary>
/// The candidates of a <see cref="CnnExperiment"/> as a grid: architectures x learning rates x batch sizes x epochs x
/// augmentation on or off. An empty list (other than <see cref="Architectures"/>) leaves that setting to the trainer's options.
/// </summary>
public sealed class CnnSearchSpace
{
    /// <summary>Names from <see cref="ModelZoo.Names"/>; at least one.</summary>
    public List<string> Architectures = [];

    /// <summary>Learning rates to try.</summary>
    public List<double> LearningRates = [];

    /// <summary>Mini-batch sizes to try.</summary>
    public List<int> BatchSizes = [];

    /// <summary>Numbers of epochs to try.</summary>
    public List<int> Epochs = [];

    /// <summary>Whether to train with augmentation: <c>[false]</c>, <c>[true]</c> or both.</summary>
    public List<bool> Augmentation = [false];

    /// <summary>
    /// Every combination, the architecture varying fastest, then augmentation, epochs, batch size and learning rate: the first
    /// trials try each architecture with the first value of every other list, so a budget that ends early has seen them all.
    /// </summary>
    /// <exception cref="ArgumentException"><see cref="Architectures"/> is empty.</exception>
    public IReadOnlyList<CnnCandidate> Grid()
    {
        Validate();
        return [.. from learningRate in OrUnset(LearningRates)
                   from batchSize in OrUnset(BatchSizes)
                   from epochs in OrUnset(Epochs)
                   from augment in Augmentation.Count == 0 ? [false] : Augmentation.Distinct()
                   from architecture in Architectures.Distinct(StringComparer.OrdinalIgnoreCase)
                   select new CnnCandidate(architecture) { LearningRate = learningRate, BatchSize = batchSize, Epochs = epochs, Augment = augment }];
    }

    /// <summary>Every combination of <see cref="Grid"/> once, in an order shuffled by <paramref name="seed"/> (random search without
    /// repeats).</summary>
    /// <param name="seed">The same seed gives the same order.</param>
    public IReadOnlyList<CnnCandidate> RandomOrder(int seed)
    {
        var candidates = Grid().ToArray();
        new Random(seed).Shuffle(candidates);
        return candidates;
    }

    internal void Validate()
    {
        if (Architectures is not { Count: > 0 })
            throw new ArgumentException("The search space names no architecture: add at least one to Architectures.");
    }

    private static IEnumerable<T?> OrUnset<T>(List<T> values) where T : struct =>
        values.Count == 0 ? [null] : values.Distinct().Select(v => (T?)v);
}
