using MLNetCnn.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// The moment updates and the step of Adam and AdamW for one parameter group, as TorchSharp 0.107 computes them, with the
/// group's scalar arguments held until disposed (<see cref="ScalarSafeAdam"/>).
/// </summary>
internal sealed class AdamUpdate(double beta1, double beta2, double epsilon, bool amsgrad, bool maximize) : IDisposable
{
    private readonly Scalar _beta1 = beta1.ToScalar();
    private readonly Scalar _beta2 = beta2.ToScalar();
    private readonly Scalar _gradientShare = (1 - beta1).ToScalar();
    private readonly Scalar _squareShare = (1 - beta2).ToScalar();
    private readonly Scalar _epsilon = epsilon.ToScalar();

    /// <summary>The update for a group of TorchSharp's Adam.</summary>
    public static AdamUpdate For(Adam.Options options) =>
        new(options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.amsgrad!.Value, options.maximize!.Value);

    /// <summary>The update for a group of TorchSharp's AdamW.</summary>
    public static AdamUpdate For(AdamW.Options options) =>
        new(options.beta1!.Value, options.beta2!.Value, options.eps!.Value, options.amsgrad!.Value, options.maximize!.Value);

    /// <summary>The gradient the step follows (negated to maximise); null when the parameter has none.</summary>
    public Tensor? GradientOf(Tensor parameter) => parameter.grad is { } gradient && maximize ? -gradient : parameter.grad;

    /// <summary>
    /// Updates the moments with <paramref name="gradient"/> and takes step <paramref name="step"/> on <paramref name="parameter"/>;
    /// returns the running maximum of the second moment under AMSGrad (the one given otherwise).
    /// </summary>
    public Tensor? Apply(Tensor parameter, Tensor gradient, long step, double learningRate, Tensor average, Tensor averageSquare,
        Tensor? maximumSquare)
    {
        double biasCorrection1 = 1 - Math.Pow(beta1, step);
        double biasCorrection2 = 1 - Math.Pow(beta2, step);
        average.mul_(_beta1).add_(gradient, _gradientShare);
        averageSquare.mul_(_beta2).addcmul_(gradient, gradient.conj(), _squareShare);
        if (amsgrad)
        {
            var previous = maximumSquare!;
            maximumSquare = maximum(previous, averageSquare).DetachFromDisposeScope();
            previous.Dispose();
        }
        using var correction = Math.Sqrt(biasCorrection2).ToScalar();
        var denominator = (amsgrad ? maximumSquare! : averageSquare).sqrt().div(correction).add_(_epsilon, Scalars.One);
        using var stepSize = (-(learningRate / biasCorrection1)).ToScalar();
        parameter.addcdiv_(average, denominator, stepSize);
        return maximumSquare;
    }

    public void Dispose()
    {
        foreach (var scalar in (Scalar[])[_beta1, _beta2, _gradientShare, _squareShare, _epsilon])
            scalar.Dispose();
    }
}
