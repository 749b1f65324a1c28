using MLNetCnn.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Architectures;

/// <summary>Shared steps of the architecture tests.</summary>
internal static class ArchitectureTesting
{
    /// <summary>A spec for square images, with family options.</summary>
    public static ModelSpec Spec(int channels, int size, int classes, params (string Name, double Value)[] options) =>
        new(new ImageShape(channels, size, size), classes)
        {
            Options = options.ToDictionary(o => o.Name, o => o.Value, StringComparer.OrdinalIgnoreCase),
        };

    /// <summary>
    /// The parameters of a network built on libtorch's meta device, which gives tensors their shapes without
    /// memory or initialisation, so that counting a 140M-parameter network takes no time.
    /// </summary>
    /// <param name="architecture">The registered name.</param>
    /// <param name="spec">The spec to build for.</param>
    /// <param name="include">Keeps the parameters whose dotted names it accepts; all by default.</param>
    public static long CountParameters(string architecture, ModelSpec spec, Func<string, bool>? include = null) =>
        OnMetaDevice(() =>
        {
            using var network = ModelZoo.Create(architecture, spec);
            return network.named_parameters().Where(p => include?.Invoke(p.name) ?? true).Sum(p => p.parameter.numel());
        });

    /// <summary>Runs <paramref name="build"/> with the meta device as libtorch's default device.</summary>
    public static T OnMetaDevice<T>(Func<T> build)
    {
        var previous = get_default_device();
        set_default_device(META);
        try
        {
            return build();
        }
        finally
        {
            set_default_device(previous);
        }
    }

    /// <summary>The submodule of <paramref name="network"/> with the dotted name <paramref name="name"/>.</summary>
    public static nn.Module<Tensor, Tensor> Layer(nn.Module network, string name) =>
        (nn.Module<Tensor, Tensor>)network.named_modules().Single(m => m.name == name).module;

    /// <summary>The output shape of the layer named <paramref name="layer"/> in a summary.</summary>
    public static long[] ShapeOf(ModelSummary summary, string layer) => [.. summary.Layers.Single(l => l.Name == layer).OutputShape];

    /// <summary>Asserts that <paramref name="actual"/> is within <paramref name="relativeTolerance"/> of <paramref
    /// name="expected"/>.</summary>
    public static void AssertClose(double expected, double actual, double relativeTolerance, string what) =>
        Assert.IsLessThanOrEqualTo(relativeTolerance, Math.Abs(actual - expected) / expected,
            $"{what}: {actual:N0} is not within {relativeTolerance:P1} of {expected:N0}");
}
