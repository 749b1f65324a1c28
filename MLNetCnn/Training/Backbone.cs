using MLNetCnn.Architectures;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// The trainable parameters of a network split into its classifier head (<see cref="IClassifierHead"/>) and the rest,
/// the backbone, which transfer learning freezes for a while or trains at a lower learning rate.
/// </summary>
internal sealed class Backbone
{
    private readonly IReadOnlyList<BatchNorm> _batchNorms;

    private Backbone(IReadOnlyList<Parameter> parameters, IReadOnlyList<Parameter> headParameters, IReadOnlyList<BatchNorm> batchNorms)
    {
        Parameters = parameters;
        HeadParameters = headParameters;
        _batchNorms = batchNorms;
    }

    /// <summary>The backbone's trainable parameters.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The head's trainable parameters.</summary>
    public IReadOnlyList<Parameter> HeadParameters { get; }

    /// <summary>Splits a model's network, which must name its head.</summary>
    /// <exception cref="ArgumentException">The network does not implement <see cref="IClassifierHead"/>.</exception>
    public static Backbone Of(CnnModel model)
    {
        if (model.Network is not IClassifierHead head)
            throw new ArgumentException($"The '{model.Architecture}' network does not name its classifier head (IClassifierHead), " +
                "so its backbone cannot be frozen or given its own learning rate.", nameof(model));
        bool InHead(string name) => head.HeadLayers.Any(layer => name == layer || name.StartsWith(layer + ".", StringComparison.Ordinal));
        var trainable = model.Network.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        return new Backbone(
            [.. trainable.Where(p => !InHead(p.name)).Select(p => p.parameter)],
            [.. trainable.Where(p => InHead(p.name)).Select(p => p.parameter)],
            [.. model.Network.named_modules().Where(m => !InHead(m.name)).Select(m => m.module).OfType<BatchNorm>()]);
    }

    /// <summary>
    /// Freezes the backbone (no gradients, so the optimizer leaves it alone) or lets it learn again. Call
    /// <see cref="KeepStatistics"/> after every switch of the network to training mode while it is frozen.
    /// </summary>
    public void Freeze(bool frozen)
    {
        foreach (var parameter in Parameters)
            parameter.requires_grad = !frozen;
    }

    /// <summary>Puts the backbone's batch normalisation in evaluation mode, so a frozen backbone keeps its running statistics.</summary>
    public void KeepStatistics()
    {
        foreach (var norm in _batchNorms)
            norm.eval();
    }
}
