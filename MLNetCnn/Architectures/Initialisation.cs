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
        foreach (var layer in modules.SelectMany(m => m.modules().Prepend(m)).Where(m => m is Conv2d or Linear))
        {
            foreach (var (name, parameter) in layer.named_parameters(recurse: false))
            {
                if (name == "weight")
                    initialiseWeight(parameter);
                else
                    nn.init.constant_(parameter, bias);
            }
        }
    }
}
