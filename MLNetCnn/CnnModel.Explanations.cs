using MLNetCnn.Data;
using MLNetCnn.Explanations;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn;

public sealed partial class CnnModel
{
    private readonly Lock _layerProbeSetup = new();
    private IReadOnlyList<LayerRecord>? _layerProbe;

    /// <summary>
    /// The dotted names of the network's layers that output feature maps, (N, C, H, W), in the order a forward pass finishes
    /// them: the layers <see cref="Explain"/> (Grad-CAM) and <see cref="LayerOutput"/> take, such as <c>features.c3</c> or
    /// <c>layer4</c>. Found once per model by a forward pass on a blank image.
    /// </summary>
    public IReadOnlyList<string> FeatureMapLayers => [.. ProbeLayers().Select(r => r.Name)];

    /// <summary>
    /// The layer Grad-CAM weights when none is named: the last one to finish whose output is convolutional feature maps
    /// (it is or holds a <c>Conv2d</c>) with more than one position, such as <c>features</c> for LeNet-5 and VGG or
    /// <c>layer4</c> for ResNet; failing that, the last convolutional one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The network has no convolutional layer that outputs feature maps.</exception>
    public string DefaultExplanationLayer
    {
        get
        {
            var convolutional = ProbeLayers().Where(r => r.IsConvolutional).ToList();
            var chosen = convolutional.LastOrDefault(r => r.Height * r.Width > 1) ?? convolutional.LastOrDefault()
                ?? throw new InvalidOperationException($"The '{Architecture}' network has no convolutional layer that outputs feature maps.");
            return chosen.Name;
        }
    }

    /// <summary>
    /// Explains one class score for one image as a heat map over its pixels: Grad-CAM over a layer's feature maps or plain
    /// gradient saliency. Runs in evaluation mode and computes gradients only for the explanation (nothing accumulates in the
    /// parameters' <c>grad</c>); other calls on the model wait until it is done.
    /// </summary>
    /// <param name="image">One image of <see cref="ModelSpec.Input"/>'s shape, CHW, unnormalised pixel values.</param>
    /// <param name="method">Grad-CAM or saliency.</param>
    /// <param name="layer">For Grad-CAM: the layer whose feature maps are weighted, a name from <see cref="FeatureMapLayers"/>;
    /// null for <see cref="DefaultExplanationLayer"/>. Saliency takes no layer.</param>
    /// <param name="classIndex">The class to explain; null for the most probable.</param>
    /// <exception cref="ArgumentException">The image has the wrong size, the class is out of range, or the layer is not a feature-map
    /// layer (the message lists those there are).</exception>
    public HeatMap Explain(ReadOnlySpan<float> image, ExplanationMethod method = ExplanationMethod.GradCam, string? layer = null,
        int? classIndex = null)
    {
        var pixels = CheckImage(image);
        if (classIndex is { } c && (c < 0 || c >= Spec.ClassCount))
        {
            throw new ArgumentOutOfRangeException(nameof(classIndex),
                $"Class {c} is not one of the network's {Spec.ClassCount} classes (0 to {Spec.ClassCount - 1}).");
        }
        if (method == ExplanationMethod.Saliency && layer is not null)
        {
            throw new ArgumentException("Saliency explains through the input pixels and takes no layer; name a layer for Grad-CAM only.",
                nameof(layer));
        }
        string? layerName = method == ExplanationMethod.GradCam ? layer ?? DefaultExplanationLayer : null;
        var target = layerName is null ? null : FeatureMapLayer(layerName);
        return Exclusively(() => ComputeHeatMap(pixels, method, layerName, target, classIndex));
    }

    /// <summary>What one named layer outputs for one image, in evaluation mode: for feature maps, what that layer "sees".</summary>
    /// <param name="image">One image of <see cref="ModelSpec.Input"/>'s shape, CHW, unnormalised pixel values.</param>
    /// <param name="layer">A layer's dotted name, as in <c>named_modules()</c>; <see cref="FeatureMapLayers"/> lists those with feature maps.</param>
    /// <exception cref="ArgumentException">The image has the wrong size, or the network has no such layer (the message lists its
    /// feature-map layers).</exception>
    public LayerActivations LayerOutput(ReadOnlySpan<float> image, string layer)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(layer);
        var pixels = CheckImage(image);
        var target = Layer(layer);
        return Exclusively(() =>
        {
            LayerActivations? captured = null;
            var hook = target.register_forward_hook((_, _, output) =>
            {
                using var scope = NewDisposeScope();
                var values = output[0].detach().to(ScalarType.Float32).cpu().data<float>().ToArray();
                captured = new LayerActivations(layer, [.. output.shape.Skip(1)], values);
                return null!;
            });
            try
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                Network.eval();
                Network.forward(Normalization.Apply(InputTensor(pixels)));
            }
            finally
            {
                hook.remove();
            }
            return captured ?? throw DidNotRun(layer);
        });
    }

    private HeatMap ComputeHeatMap(float[] pixels, ExplanationMethod method, string? layerName, nn.Module<Tensor, Tensor>? target, int? classIndex)
    {
        Tensor? features = null;
        // Grad-CAM differentiates with respect to the layer's output: the hook hands the rest of the network a leaf copy of it
        // (cloned, so a following in-place ReLU works on the clone, not on the leaf).
        var hook = target?.register_forward_hook((_, _, output) =>
        {
            features?.Dispose();
            features = output.detach().requires_grad_(true).DetachFromDisposeScope();
            return features.clone();
        });
        try
        {
            using var scope = NewDisposeScope();
            using var grad = enable_grad();
            Network.eval();
            var input = InputTensor(pixels).requires_grad_(true);
            var logits = Network.forward(Normalization.Apply(input));
            hook?.remove();
            hook = null;
            var probabilities = nn.functional.softmax(logits.detach(), 1).to(ScalarType.Float32).cpu().data<float>().ToArray();
            int explained = classIndex ?? Array.IndexOf(probabilities, probabilities.Max());
            var score = logits[0, explained];
            Tensor map;
            if (method == ExplanationMethod.GradCam)
            {
                if (features is null)
                    throw DidNotRun(layerName);
                var gradient = autograd.grad([score], [features], allow_unused: true)[0];
                if (gradient is null || gradient.IsInvalid)
                {
                    throw new InvalidOperationException(
                        $"The class score of the {Architecture} network does not depend on the layer '{layerName}'.");
                }
                var weights = gradient.mean([2, 3], keepdim: true);
                var weighted = nn.functional.relu((weights * features).sum(1, keepdim: true));
                map = nn.functional.interpolate(weighted, [Spec.Input.Height, Spec.Input.Width], mode: InterpolationMode.Bilinear,
                    align_corners: false);
            }
            else
            {
                map = autograd.grad([score], [input])[0].abs().amax([1]);
            }
            map = map.detach().flatten().to(ScalarType.Float32);
            float peak = map.max().item<float>();
            using var divisor = (peak > 0 ? peak : 1f).ToScalar();
            var values = map.div(divisor).cpu().data<float>().ToArray();
            return new HeatMap(method, layerName, explained, Spec.Input.Height, Spec.Input.Width, values, probabilities);
        }
        finally
        {
            hook?.remove();
            features?.Dispose();
        }
    }

    private InvalidOperationException DidNotRun(string? layer) =>
        new($"The layer '{layer}' of the {Architecture} network did not run in its forward pass.");

    private float[] CheckImage(ReadOnlySpan<float> image)
    {
        if (image.Length != Spec.Input.Size)
            throw new ArgumentException($"An image of shape {Spec.Input} has {Spec.Input.Size} values; got {image.Length}.", nameof(image));
        return image.ToArray();
    }

    private Tensor InputTensor(float[] pixels) =>
        tensor(pixels, [1, Spec.Input.Channels, Spec.Input.Height, Spec.Input.Width]).to(Device);

    private nn.Module<Tensor, Tensor> FeatureMapLayer(string name)
    {
        if (!ProbeLayers().Any(r => string.Equals(r.Name, name, StringComparison.Ordinal)))
            throw UnknownLayer(name, "is not a layer with feature maps (channels, height, width) of");
        return Layer(name);
    }

    private nn.Module<Tensor, Tensor> Layer(string name) =>
        Network.named_modules().FirstOrDefault(m => string.Equals(m.name, name, StringComparison.Ordinal)).module
            as nn.Module<Tensor, Tensor> ?? throw UnknownLayer(name, "is not a layer of");

    private ArgumentException UnknownLayer(string name, string what) =>
        new($"'{name}' {what} the {Architecture} network. Its layers with feature maps: {string.Join(", ", FeatureMapLayers)}.", "layer");

    /// <summary>One forward pass on a blank image with every layer hooked, recording those that output feature maps.</summary>
    private IReadOnlyList<LayerRecord> ProbeLayers()
    {
        lock (_layerProbeSetup)
        {
            return _layerProbe ??= Exclusively(() =>
            {
                var records = new List<LayerRecord>();
                var removers = new List<Action>();
                var hooked = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
                foreach (var (name, module) in Network.named_modules())
                {
                    if (module is not nn.Module<Tensor, Tensor> layer || !hooked.Add(layer))
                        continue;
                    bool convolutional = layer is Conv2d || layer.modules().Any(m => m is Conv2d);
                    var hook = layer.register_forward_hook((_, _, output) =>
                    {
                        if (output.dim() == 4)
                            records.Add(new LayerRecord(name, convolutional, output.shape[2], output.shape[3]));
                        return null!;
                    });
                    removers.Add(hook.remove);
                }
                try
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    Network.eval();
                    Network.forward(Normalization.Apply(InputTensor(new float[Spec.Input.Size])));
                }
                finally
                {
                    foreach (var remove in removers)
                        remove();
                }
                // A layer run twice (a shared activation) counts where it last finished.
                return records.GroupBy(r => r.Name).Select(g => g.Last()).OrderBy(records.LastIndexOf).ToList();
            });
        }
    }

    /// <summary>Runs <paramref name="use"/> with no other call on the model under way, so hooks come and go unseen by them.</summary>
    private T Exclusively<T>(Func<T> use)
    {
        _lifetime.EnterWriteLock();
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return use();
        }
        finally
        {
            _lifetime.ExitWriteLock();
        }
    }

    private sealed record LayerRecord(string Name, bool IsConvolutional, long Height, long Width);
}
