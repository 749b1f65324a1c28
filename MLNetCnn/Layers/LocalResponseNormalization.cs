using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>
/// Local response normalisation as the papers write it, built on TorchSharp's <see cref="LocalResponseNorm"/>.
/// </summary>
public static class LocalResponseNormalization
{
    /// <summary>
    /// The normalisation of Krizhevsky, Sutskever and Hinton (2012), section 3.3:
    /// <c>b = a / (k + alpha * sum(a²))^beta</c>, the sum running over <paramref name="size"/> adjacent channels
    /// centred on <c>a</c>'s. TorchSharp (like PyTorch and Caffe) divides alpha by the window size, so the
    /// paper's alpha is multiplied by it here.
    /// </summary>
    /// <param name="size">Channels in the window (the paper's n).</param>
    /// <param name="alpha">The paper's alpha.</param>
    /// <param name="beta">The paper's beta.</param>
    /// <param name="k">The paper's k.</param>
    public static LocalResponseNorm FromPaper(int size, double alpha, double beta, double k) =>
        nn.LocalResponseNorm(size, alpha * size, beta, k);

    /// <summary>AlexNet's setting: n = 5, k = 2, alpha = 1e-4, beta = 0.75.</summary>
    public static LocalResponseNorm AlexNet() => FromPaper(5, 1e-4, 0.75, 2);
}
