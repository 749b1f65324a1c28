using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// Dynamic loss scaling for float16 training, as PyTorch's <c>torch.amp.GradScaler</c> (absent from TorchSharp
/// 0.107): the loss is multiplied by <see cref="Scale"/> so small gradients survive float16; a step whose unscaled
/// gradients are not finite is skipped and the scale halved, and the scale doubles after
/// <see cref="GrowthInterval"/> steps in a row without overflow.
/// </summary>
internal sealed class LossScaler
{
    public const double InitialScale = 65536;
    public const int GrowthInterval = 2000;

    private int _stepsWithoutOverflow;

    public double Scale { get; private set; } = InitialScale;

    /// <summary>Whether every parameter's gradient is finite (one device synchronisation).</summary>
    public static bool GradientsAreFinite(IEnumerable<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        var checks = parameters.Select(p => p.grad).OfType<Tensor>().Select(g => g.isfinite().all()).ToArray();
        return checks.Length == 0 || stack(checks).all().item<bool>();
    }

    /// <summary>Adjusts the scale after a step whose gradients were (or were not) finite.</summary>
    public void Update(bool gradientsWereFinite)
    {
        if (!gradientsWereFinite)
        {
            Scale /= 2;
            _stepsWithoutOverflow = 0;
        }
        else if (++_stepsWithoutOverflow == GrowthInterval)
        {
            Scale *= 2;
            _stepsWithoutOverflow = 0;
        }
    }

    /// <summary>The scale and the steps since the last overflow or growth, as saved in checkpoints.</summary>
    public (double Scale, int StepsWithoutOverflow) State
    {
        get => (Scale, _stepsWithoutOverflow);
        set
        {
            if (!double.IsFinite(value.Scale) || value.Scale <= 0 || value.StepsWithoutOverflow is < 0 or >= GrowthInterval)
                throw new InvalidDataException($"The loss scale {value.Scale} after {value.StepsWithoutOverflow} steps is invalid.");
            (Scale, _stepsWithoutOverflow) = value;
        }
    }
}
