using System.Globalization;

namespace MLNetCnn.Training;

/// <summary>
/// Weights of the classes in the training loss, for imbalanced data: none (every image counts alike), balanced from the
/// training data's class counts (class c weighs <c>N / (K n_c)</c>, so that every class contributes alike, as
/// scikit-learn's <c>class_weight="balanced"</c>), or given per class. Each batch's loss is the weighted mean
/// <c>sum(w_i l_i) / sum(w_i)</c> of its images' cross-entropies, as PyTorch's <c>cross_entropy(weight=...)</c>.
/// </summary>
public sealed class ClassWeights : IEquatable<ClassWeights>
{
    private readonly double[]? _given;

    private ClassWeights(bool balanced, double[]? given)
    {
        IsBalanced = balanced;
        _given = given;
    }

    /// <summary>Every image weighs 1: the plain mean cross-entropy.</summary>
    public static ClassWeights None { get; } = new(false, null);

    /// <summary>Class c weighs <c>N / (K n_c)</c>: N training images, K classes present, n_c of class c.</summary>
    public static ClassWeights Balanced { get; } = new(true, null);

    /// <summary>Whether the weights come from the training data's class counts.</summary>
    public bool IsBalanced { get; }

    /// <summary>The weights given per class, in class order; null for <see cref="None"/> and <see cref="Balanced"/>.</summary>
    public IReadOnlyList<double>? Given => _given;

    /// <summary>Whether every image weighs the same.</summary>
    public bool IsNone => !IsBalanced && _given is null;

    /// <summary>Weights given per class, in class (key) order.</summary>
    /// <exception cref="ArgumentException">A weight is negative or not finite, or none is positive.</exception>
    public static ClassWeights Of(params IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        for (int c = 0; c < weights.Count; c++)
        {
            if (!double.IsFinite(weights[c]) || weights[c] < 0)
                throw new ArgumentException($"The weight of class {c} is {weights[c]}; class weights must be zero or positive numbers.", nameof(weights));
        }
        if (!weights.Any(w => w > 0))
            throw new ArgumentException("At least one class weight must be positive.", nameof(weights));
        return new ClassWeights(false, [.. weights]);
    }

    /// <summary>Reads <c>none</c>, <c>balanced</c>, or weights per class separated by commas (<c>1,1,10</c>), as <see cref="ToString"/>
    /// writes them.</summary>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static ClassWeights Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string trimmed = text.Trim();
        if (trimmed.Equals("none", StringComparison.OrdinalIgnoreCase))
            return None;
        if (trimmed.Equals("balanced", StringComparison.OrdinalIgnoreCase))
            return Balanced;
        var parts = trimmed.Split(',');
        var weights = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out weights[i]))
                throw new FormatException($"Class weights must be 'none', 'balanced' or numbers per class separated by commas (1,1,10); '{parts[i].Trim()}' in '{text}' is not a number.");
        }
        try
        {
            return Of(weights);
        }
        catch (ArgumentException e)
        {
            throw new FormatException(e.Message.Split(" (Parameter")[0], e);
        }
    }

    /// <summary>
    /// The weight of each class for training data with <paramref name="classCounts"/> images per class; null when every
    /// image weighs the same.
    /// </summary>
    /// <exception cref="ArgumentException">The given weights are not one per class.</exception>
    public double[]? Resolve(IReadOnlyList<long> classCounts)
    {
        ArgumentNullException.ThrowIfNull(classCounts);
        if (_given is not null)
        {
            if (_given.Length != classCounts.Count)
                throw new ArgumentException($"{_given.Length} class weights were given for {classCounts.Count} classes; give one weight per class, in class order.");
            return [.. _given];
        }
        if (!IsBalanced)
            return null;
        long total = classCounts.Sum();
        int present = classCounts.Count(n => n > 0);
        return [.. classCounts.Select(n => n > 0 ? total / ((double)present * n) : 0)];
    }

    /// <summary><c>none</c>, <c>balanced</c>, or the weights separated by commas.</summary>
    public override string ToString() => IsBalanced ? "balanced" : _given is null ? "none"
        : string.Join(",", _given.Select(w => w.ToString("R", CultureInfo.InvariantCulture)));

    /// <inheritdoc/>
    public bool Equals(ClassWeights? other) => other is not null && ToString() == other.ToString();

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ClassWeights);

    /// <inheritdoc/>
    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
