using System.Text.RegularExpressions;

namespace MLNetCnn.Pretrained;

/// <summary>
/// Tells which torchvision classifier a bare state dict (a <c>.pt</c>, <c>.pth</c> or <c>.safetensors</c> file without
/// MLNetCnn's metadata) belongs to, from its tensor names and shapes, and so which network of the model zoo takes it: the
/// same correspondence as <c>scripts/convert_torchvision.py</c>'s (torchvision's tensor names are the networks' own) and
/// the same defaults for what a state dict does not say: ImageNet's normalisation, and for GoogLeNet the
/// <c>transform_input</c> normalisation of torchvision's pretrained weights.
/// </summary>
internal static partial class TorchvisionStateDict
{
    private static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];
    private static readonly float[] TransformInputMean = [0.5f, 0.5f, 0.5f];
    private static readonly float[] TransformInputStd = [0.5f, 0.5f, 0.5f];

    private static readonly Dictionary<string, double> TorchvisionBottlenecks = new() { [Architectures.ResNet.StrideOnThreeByThreeOption] = 1 };

    /// <summary>VGG's configurations by their convolution count.</summary>
    private static readonly Dictionary<int, string> VggDepths = new() { [8] = "vgg11", [10] = "vgg13", [13] = "vgg16", [16] = "vgg19" };

    /// <summary>ResNet's blocks per stage, with bottleneck blocks or not.</summary>
    private static readonly Dictionary<(string Blocks, bool Bottleneck), string> ResNetDepths = new()
    {
        [("2,2,2,2", false)] = "resnet18", [("3,4,6,3", false)] = "resnet34", [("3,4,6,3", true)] = "resnet50",
        [("3,4,23,3", true)] = "resnet101", [("3,8,36,3", true)] = "resnet152",
    };

    /// <summary>What a state dict is: the torchvision model, the network that takes it and what that network needs to know.</summary>
    /// <param name="TorchvisionModel">torchvision's name of the model, e.g. <c>vgg11_bn</c>.</param>
    /// <param name="Architecture">The registered architecture.</param>
    /// <param name="Options">Its family options.</param>
    /// <param name="ClassCount">The classes the head scores.</param>
    /// <param name="Mean">The normalisation's mean on 0..1 pixels.</param>
    /// <param name="Std">The normalisation's standard deviation on 0..1 pixels.</param>
    /// <param name="MayLack">Tensors of the network the state dict may leave out (they keep their initial values).</param>
    public sealed record Identity(string TorchvisionModel, string Architecture, IReadOnlyDictionary<string, double> Options, int ClassCount,
        float[] Mean, float[] Std, Func<string, bool> MayLack);

    /// <summary>Identifies the torchvision model of a state dict, given its tensors' shapes by name.</summary>
    /// <exception cref="InvalidDataException">No torchvision model with a counterpart in the model zoo has such tensors.</exception>
    public static Identity Identify(string path, IReadOnlyDictionary<string, long[]> shapes)
    {
        // Checkpoints of torchvision before BatchNorm counted its batches (2018) have no num_batches_tracked; PyTorch loads them too.
        static bool Untracked(string name) => name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);
        int Classes(string head) => shapes.TryGetValue(head, out var shape) && shape.Length == 2 && shape[0] is >= 2 and <= int.MaxValue
            ? (int)shape[0] : throw new InvalidDataException($"{path}: its head '{head}' is not a weight matrix of at least 2 classes.");
        Identity Of(string model, string architecture, string head, IReadOnlyDictionary<string, double>? options = null, bool transformInput = false,
            Func<string, bool>? mayLack = null) =>
            new(model, architecture, options ?? new Dictionary<string, double>(), Classes(head), transformInput ? TransformInputMean : ImageNetMean,
                transformInput ? TransformInputStd : ImageNetStd, name => Untracked(name) || mayLack?.Invoke(name) == true);

        if (shapes.ContainsKey("classifier.6.weight"))
        {
            if (shapes.TryGetValue("features.0.weight", out var first) && first.SequenceEqual([64L, 3, 11, 11]))
                return Of("alexnet", "alexnet-torchvision", "classifier.6.weight");
            int convolutions = shapes.Count(t => t.Value.Length == 4 && FeatureWeight().IsMatch(t.Key));
            bool batchNorm = shapes.Keys.Any(name => FeatureRunningMean().IsMatch(name));
            if (VggDepths.TryGetValue(convolutions, out var vgg))
                return Of(batchNorm ? $"{vgg}_bn" : vgg, batchNorm ? $"{vgg}-bn" : vgg, "classifier.6.weight");
        }
        else if (shapes.ContainsKey("fc.weight"))
        {
            if (shapes.ContainsKey("inception3a.branch1.conv.weight"))
            {
                // torchvision's pretrained GoogLeNet leaves its auxiliary heads out; ours then start untrained, as the converter's do.
                bool hasAuxiliary = shapes.Keys.Any(IsAuxiliary);
                return Of("googlenet", "googlenet-torchvision", "fc.weight", transformInput: true, mayLack: hasAuxiliary ? null : IsAuxiliary);
            }
            var blocks = Enumerable.Range(1, 4).Select(stage => shapes.Keys.Select(name => ResNetBlock().Match(name))
                .Where(m => m.Success && m.Groups[1].Value == $"{stage}").Select(m => m.Groups[2].Value).Distinct().Count());
            bool bottleneck = shapes.ContainsKey("layer1.0.conv3.weight");
            if (ResNetDepths.TryGetValue((string.Join(",", blocks), bottleneck), out var resnet))
                return Of(resnet, resnet, "fc.weight", bottleneck ? TorchvisionBottlenecks : null);
        }
        throw new InvalidDataException($"{path} is not the state dict of a torchvision model that MLNetCnn has a network for (its tensors: " +
            $"{string.Join(", ", shapes.Keys.Take(6))}{(shapes.Count > 6 ? ", ..." : "")}). Read are torchvision's resnet18 to resnet152, vgg11 to " +
            "vgg19 and their _bn variants, googlenet and alexnet; for others use scripts/convert_torchvision.py or train from scratch.");
    }

    private static bool IsAuxiliary(string name) => name.StartsWith("aux1.", StringComparison.Ordinal) || name.StartsWith("aux2.", StringComparison.Ordinal);

    [GeneratedRegex(@"^features\.\d+\.weight$")]
    private static partial Regex FeatureWeight();

    [GeneratedRegex(@"^features\.\d+\.running_mean$")]
    private static partial Regex FeatureRunningMean();

    [GeneratedRegex(@"^layer([1-4])\.(\d+)\.")]
    private static partial Regex ResNetBlock();
}
