using MLNetCnn.Architectures;
using MLNetCnn.Data;
using MLNetCnn.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

/// <summary>
/// A small network with everything that carries training state: batch normalisation (running statistics),
/// dropout (random draws) and an auxiliary training-only head (<see cref="IAuxiliaryLoss"/>), registered in the
/// model zoo as <see cref="Name"/>.
/// </summary>
internal sealed class TinyNetwork : nn.Module<Tensor, Tensor>, IAuxiliaryLoss
{
    public const string Name = "test-tiny-bn-dropout-aux";
    public const double AuxiliaryWeight = 0.3;

    private static readonly Lazy<bool> Registration = new(() =>
    {
        ModelZoo.Register(Name, spec => new TinyNetwork(spec));
        return true;
    });

    private readonly Sequential features;
    private readonly Dropout dropout;
    private readonly Linear output;
    private readonly Linear auxiliary;
    private Tensor? _auxiliaryLogits;

    private TinyNetwork(ModelSpec spec) : base("TinyNetwork")
    {
        features = nn.Sequential(
            nn.Conv2d(spec.Input.Channels, 8, 3, padding: 1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(2),
            nn.Flatten());
        dropout = nn.Dropout(0.3);
        output = nn.Linear(32, spec.ClassCount);
        auxiliary = nn.Linear(32, spec.ClassCount);
        RegisterComponents();
    }

    /// <summary>The criterion the trainer passed to the last <see cref="AuxiliaryLoss"/> call.</summary>
    public static Func<Tensor, Tensor, Tensor>? LastCriterion { get; private set; }

    public static void EnsureRegistered() => _ = Registration.Value;

    public static CnnModel Create(ImageDataset data, int seed, Device? device = null)
    {
        EnsureRegistered();
        return CnnModel.Create(Name, new ModelSpec(data.Shape, data.ClassCount), InputNormalization.FromData(data), device ?? CPU, seed);
    }

    public override Tensor forward(Tensor input)
    {
        var hidden = features.forward(input);
        _auxiliaryLogits?.Dispose();
        _auxiliaryLogits = training ? auxiliary.forward(hidden).DetachFromDisposeScope() : null;
        return output.forward(dropout.forward(hidden));
    }

    public Tensor? AuxiliaryLoss(Tensor target, Func<Tensor, Tensor, Tensor> criterion)
    {
        LastCriterion = criterion;
        if (_auxiliaryLogits is not { } logits)
            return null;
        _auxiliaryLogits = null;
        using (logits)
            return criterion(logits, target) * AuxiliaryWeight;
    }
}
