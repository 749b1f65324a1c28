using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Architectures;

/// <summary>Starts the weights and biases of layers the way a paper says.</summary>
internal static class Initialisation
{
    /// <summary>
    /// Applies <paramref name="initialiseWeight"/> to the <c>weight</c> of every convolution and linear layer in
    /// <paramref name="modules"/> and their descendants, and sets their biases to <paramref name="bias"/>.
    /// </summary>
    public static void Apply(IEnumerable<nn.Module> modules, Action<Tensor> initialiseWeight, double bias = 0)
    {
        using var noGrad = no_grad();
        using var biasValue = bias.ToScalar();
        foreach (var layer in modules.SelectMany(m => m.modules().Prepend(m)).Where(m => m is Conv2d or Linear))
        {
            foreach (var (name, parameter) in layer.named_parameters(recurse: false))
            {
                if (name == "weight")
                    initialiseWeight(parameter);
                else
                    nn.init.constant_(parameter, biasValue);
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="weight"/> from N(0, <paramref name="std"/>²) truncated at two standard deviations, by
    /// PyTorch's method: uniform over the kept share of the normal distribution, through the inverse error function.
    /// (TorchSharp 0.107's <c>nn.init.trunc_normal_</c> fills the tensor with the constant std instead: its native code
    /// multiplies by the mean and adds the std.)
    /// </summary>
    public static void TruncatedNormal(Tensor weight, double std)
    {
        const double ShareWithinTwoDeviations = 0.95449973610364158; // erf(2 / sqrt(2))
        using var noGrad = no_grad();
        using var scale = (std * Math.Sqrt(2)).ToScalar();
        using var lowest = (-2 * std).ToScalar();
        using var highest = (2 * std).ToScalar();
        weight.uniform_(-ShareWithinTwoDeviations, ShareWithinTwoDeviations).erfinv_().mul_(scale).clamp_(lowest, highest);
    }
}
