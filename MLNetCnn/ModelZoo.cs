using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MLNetCnn.Architectures;
using MLNetCnn.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn;

/// <summary>Builds a network for a <see cref="ModelSpec"/>; it must return logits of shape (batch, classes).</summary>
public delegate nn.Module<Tensor, Tensor> ModelFactory(ModelSpec spec);

/// <summary>
/// The registry of network architectures by name: every built-in family and whatever an application
/// registers. Built-in names are lowercase, with '-' before a variant: <c>lenet5</c>, <c>lenet5-classic</c>,
/// <c>alexnet</c>, <c>alexnet-grouped</c>, <c>zfnet</c>, <c>vgg11</c> to <c>vgg19</c> and their <c>-bn</c>
/// variants, <c>googlenet</c>, <c>resnet18</c> to <c>resnet152</c>, the CIFAR <c>resnet8</c>,
/// <c>resnet14</c> and <c>resnet20</c> to <c>resnet110</c>, <c>mobilenet-v1</c> and its <c>-0.75</c>, <c>-0.5</c>, <c>-0.25</c> widths, and
/// <c>alexnet-torchvision</c> and <c>googlenet-torchvision</c>, torchvision's versions, which load its pretrained
/// weights. Every part of the library that takes an architecture name (the trainer, saved models, the
/// command line) resolves it here.
/// </summary>
public static partial class ModelZoo
{
    /// <summary>The architecture trained when none is named (the trainer, the command line): LeNet-5.</summary>
    public const string DefaultArchitecture = "lenet5";

    private static readonly ConcurrentDictionary<string, ModelFactory> Factories = new(
        new Dictionary<string, ModelFactory>
        {
            ["lenet5"] = LeNet.LeNet5,
            ["lenet5-classic"] = LeNet.LeNet5Classic,
            ["alexnet"] = AlexNet.SingleTower,
            ["alexnet-grouped"] = AlexNet.Grouped,
            ["alexnet-torchvision"] = AlexNet.Torchvision,
            ["zfnet"] = AlexNet.ZFNet,
            ["vgg11"] = Vgg.Vgg11,
            ["vgg11-bn"] = Vgg.Vgg11BatchNorm,
            ["vgg13"] = Vgg.Vgg13,
            ["vgg13-bn"] = Vgg.Vgg13BatchNorm,
            ["vgg16"] = Vgg.Vgg16,
            ["vgg16-bn"] = Vgg.Vgg16BatchNorm,
            ["vgg19"] = Vgg.Vgg19,
            ["vgg19-bn"] = Vgg.Vgg19BatchNorm,
            ["googlenet"] = GoogLeNet.Create,
            ["googlenet-torchvision"] = GoogLeNet.Torchvision,
            ["resnet18"] = ResNet.ResNet18,
            ["resnet34"] = ResNet.ResNet34,
            ["resnet50"] = ResNet.ResNet50,
            ["resnet101"] = ResNet.ResNet101,
            ["resnet152"] = ResNet.ResNet152,
            ["resnet8"] = ResNet.ResNet8,
            ["resnet14"] = ResNet.ResNet14,
            ["resnet20"] = ResNet.ResNet20,
            ["resnet32"] = ResNet.ResNet32,
            ["resnet44"] = ResNet.ResNet44,
            ["resnet56"] = ResNet.ResNet56,
            ["resnet110"] = ResNet.ResNet110,
            ["mobilenet-v1"] = MobileNet.V1,
            ["mobilenet-v1-0.75"] = MobileNet.V1Width075,
            ["mobilenet-v1-0.5"] = MobileNet.V1Width050,
            ["mobilenet-v1-0.25"] = MobileNet.V1Width025,
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
