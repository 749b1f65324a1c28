using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MLNetCnn.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn;

/// <summary>Builds a network for a <see cref="ModelSpec"/>; it must return logits of shape (batch, classes).</summary>
public delegate nn.Module<Tensor, Tensor> ModelFactory(ModelSpec spec);

/// <summary>
/// The registry of network architectures by name: every built-in family and whatever an application
/// registers. Every part of the library that takes an architecture name (the trainer, saved models, the
/// command line) resolves it here.
/// </summary>
public static partial class ModelZoo
{
    private static readonly ConcurrentDictionary<string, ModelFactory> Factories = new(
        new Dictionary<string, ModelFactory>
        {
            ["lenet5"] = LeNet.LeNet5,
        },
        StringComparer.OrdinalIgnoreCase);

    /// <summary>The registered names, sorted.</summary>
    public static IReadOnlyList<string> Names => [.. Factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Whether <paramref name="name"/> is registered (case-insensitive).</summary>
    public static bool Contains(string name) => Factories.ContainsKey(name);

    /// <summary>Builds a freshly initialised network.</summary>
    /// <exception cref="ArgumentException">The name is not registered, or the spec is invalid.</exception>
    public static nn.Module<Tensor, Tensor> Create(string name, ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (!Factories.TryGetValue(name, out var factory))
            throw new ArgumentException($"Unknown architecture '{name}'. Registered: {string.Join(", ", Names)}.", nameof(name));
        return factory(spec);
    }

    /// <summary>
    /// Registers an architecture under a new name (letters, digits, '-', '_' and '.'), so it can be used
    /// wherever a built-in name can, including loading saved models (register it before loading).
    /// </summary>
    /// <exception cref="ArgumentException">The name is malformed or already registered.</exception>
    public static void Register(string name, ModelFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        if (string.IsNullOrWhiteSpace(name) || !ValidName().IsMatch(name))
            throw new ArgumentException($"Architecture name '{name}' must be letters, digits, '-', '_' or '.'.", nameof(name));
        if (!Factories.TryAdd(name, factory))
            throw new ArgumentException($"An architecture named '{name}' is already registered.", nameof(name));
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex ValidName();
}
