using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Architectures;

/// <summary>
/// LeNet-5 (LeCun, Bottou, Bengio and Haffner, "Gradient-based learning applied to document recognition",
/// 1998): two convolution and sub-sampling stages and three fully connected layers.
/// </summary>
public static class LeNet
{
    /// <summary>
    /// The modern LeNet-5: ReLU and max-pooling in place of scaled tanh and trainable sub-sampling,
    /// C3 fully connected to S2, a linear output layer. At 32x32 the geometry is the paper's
    /// (28x28x6, 14x14x6, 10x10x16, 5x5x16, 120, 84); smaller inputs such as MNIST's 28x28 are zero-padded
    /// in C1 up to 32x32, as the paper padded its digits.
    /// </summary>
    public static nn.Module<Tensor, Tensor> LeNet5(ModelSpec spec) => new LeNet5Network(spec);

    private sealed class LeNet5Network : nn.Module<Tensor, Tensor>
    {
        private const int PaperInputSize = 32;
        private readonly Sequential features;
        private readonly Sequential classifier;

        public LeNet5Network(ModelSpec spec) : base("LeNet5")
        {
            int padH = Math.Max(0, (PaperInputSize - spec.Input.Height + 1) / 2);
            int padW = Math.Max(0, (PaperInputSize - spec.Input.Width + 1) / 2);
            features = nn.Sequential(
                ("c1", nn.Conv2d(spec.Input.Channels, 6, kernel_size: (5, 5), padding: (padH, padW))),
                ("relu1", nn.ReLU()),
                ("s2", nn.MaxPool2d(2)),
                ("c3", nn.Conv2d(6, 16, 5)),
                ("relu3", nn.ReLU()),
                ("s4", nn.MaxPool2d(2)));
            int outH = FeatureSize(spec.Input.Height, padH);
            int outW = FeatureSize(spec.Input.Width, padW);
            classifier = nn.Sequential(
                ("flatten", nn.Flatten()),
                ("c5", nn.Linear(16L * outH * outW, 120)),
                ("relu5", nn.ReLU()),
                ("f6", nn.Linear(120, 84)),
                ("relu6", nn.ReLU()),
                ("output", nn.Linear(84, spec.ClassCount)));
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => classifier.forward(features.forward(input));

        private static int FeatureSize(int size, int padding) => ((size + 2 * padding - 4) / 2 - 4) / 2;
    }
}
