using MLNetCnn.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class OptimizerFactoryTests
{
    private static readonly double[] Start = [1.0, -2.0];
    private static readonly double[][] Gradients = [[0.5, -1.0], [0.2, 0.3], [-0.4, 0.1]];

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void SgdFollowsTheMomentumFormula(bool nesterov)
    {
        const double lr = 0.1, momentum = 0.9, decay = 0.01;
        var options = new TrainingOptions { Optimizer = OptimizerKind.Sgd, LearningRate = lr, Momentum = momentum, Nesterov = nesterov, WeightDecay = decay };
        var p = (double[])Start.Clone();
        var buffer = new double[p.Length];
        var expected = Gradients.Select((g, t) =>
        {
            for (int i = 0; i < p.Length; i++)
            {
                double d = g[i] + decay * p[i];
                buffer[i] = t == 0 ? d : momentum * buffer[i] + d;
                p[i] -= lr * (nesterov ? d + momentum * buffer[i] : buffer[i]);
            }
            return (double[])p.Clone();
        }).ToList();

        AssertSteps(options, expected);
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow(OptimizerKind.Adam)]
    [DataRow(OptimizerKind.AdamW)]
    public void AdamFollowsItsFormulaWithCoupledOrDecoupledWeightDecay(OptimizerKind kind)
    {
        const double lr = 0.01, decay = 0.1, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        var options = new TrainingOptions { Optimizer = kind, LearningRate = lr, WeightDecay = decay };
        var p = (double[])Start.Clone();
        var m = new double[p.Length];
        var v = new double[p.Length];
        var expected = Gradients.Select((g, index) =>
        {
            int t = index + 1;
            for (int i = 0; i < p.Length; i++)
            {
                double d = kind == OptimizerKind.Adam ? g[i] + decay * p[i] : g[i];
                if (kind == OptimizerKind.AdamW)
                    p[i] *= 1 - lr * decay;
                m[i] = beta1 * m[i] + (1 - beta1) * d;
                v[i] = beta2 * v[i] + (1 - beta2) * d * d;
                double mHat = m[i] / (1 - Math.Pow(beta1, t)), vHat = v[i] / (1 - Math.Pow(beta2, t));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
            return (double[])p.Clone();
        }).ToList();

        AssertSteps(options, expected);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void NesterovWithoutSgdMomentumIsRejectedByName()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new TrainingOptions { Optimizer = OptimizerKind.Adam, Nesterov = true }.Validate());
        StringAssert.Contains(error.Message, "Nesterov");
    }

    /// <summary>Takes one optimizer step per gradient (a loss whose gradient is exactly that) and compares the parameter.</summary>
    private static void AssertSteps(TrainingOptions options, List<double[]> expected)
    {
        using var parameter = new Parameter(tensor(Start.Select(v => (float)v).ToArray()));
        using var optimizer = OptimizerFactory.Create(options, [parameter]);
        for (int t = 0; t < Gradients.Length; t++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            (parameter * tensor(Gradients[t].Select(v => (float)v).ToArray())).sum().backward();
            optimizer.step();
            var actual = parameter.data<float>().ToArray();
            for (int i = 0; i < actual.Length; i++)
                Assert.AreEqual(expected[t][i], actual[i], 1e-5, $"{options.Optimizer}, step {t + 1}, element {i}");
        }
    }
}
