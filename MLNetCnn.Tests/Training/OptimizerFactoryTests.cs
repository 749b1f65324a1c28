using System.Diagnostics;
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

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow(OptimizerKind.Adam, false)]
    [DataRow(OptimizerKind.AdamW, false)]
    [DataRow(OptimizerKind.Sgd, false)]
    [DataRow(OptimizerKind.Sgd, true)]
    public void StepsAreBitForBitTorchSharpsOwnOptimizers(OptimizerKind kind, bool nesterov)
    {
        var options = new TrainingOptions
        {
            Optimizer = kind, LearningRate = 0.01, WeightDecay = 0.05, Momentum = 0.9, Nesterov = nesterov,
        };
        using var ours = new Parameter(randn(3, 4, generator: new Generator(1)));
        using var theirs = new Parameter(ours.detach().clone());
        using var ourOptimizer = OptimizerFactory.Create(options, [ours]);
        using OptimizerHelper theirOptimizer = kind switch
        {
            OptimizerKind.Adam => optim.Adam([theirs], options.LearningRate, weight_decay: options.WeightDecay),
            OptimizerKind.AdamW => optim.AdamW([theirs], options.LearningRate, weight_decay: options.WeightDecay),
            _ => optim.SGD([theirs], options.LearningRate, options.Momentum, weight_decay: options.WeightDecay, nesterov: nesterov),
        };
        var generator = new Generator(2);
        for (int step = 1; step <= 5; step++)
        {
            using var scope = NewDisposeScope();
            var weights = randn(3, 4, generator: generator);
            foreach (var (parameter, optimizer) in new[] { (ours, (OptimizerHelper)ourOptimizer), (theirs, theirOptimizer) })
            {
                optimizer.zero_grad();
                (parameter * parameter * weights).sum().backward();
                optimizer.step();
            }
            CollectionAssert.AreEqual(theirs.data<float>().ToArray(), ours.data<float>().ToArray(), $"{kind}, step {step}");
        }
    }

    [TestMethod]
    [DataRow(OptimizerKind.Adam)]
    [DataRow(OptimizerKind.AdamW)]
    [DataRow(OptimizerKind.Sgd)]
    public void StepsStayExactWhileAnotherThreadCollectsGarbage(OptimizerKind kind)
    {
        // TorchSharp 0.107's own steps hand libtorch scalars that a collection during the call may free: wrong steps or errors
        // (seen within about a second here).
        var options = new TrainingOptions { Optimizer = kind, LearningRate = 0.01, WeightDecay = 0.05, Momentum = 0.9 };
        var (collected, steps) = TakeSteps(options, TimeSpan.FromSeconds(2.5), collecting: true);
        var (quiet, _) = TakeSteps(options, TimeSpan.MaxValue, collecting: false, steps);
        CollectionAssert.AreEqual(quiet, collected, $"{kind}: {steps} steps taken while another thread collected differ");
    }

    private static (float[] Values, int Steps) TakeSteps(TrainingOptions options, TimeSpan duration, bool collecting,
        int maximumSteps = int.MaxValue)
    {
        var parameters = Enumerable.Range(0, 64).Select(i => new Parameter(full(2, 0.1f * i))).ToList();
        using var optimizer = OptimizerFactory.Create(options, parameters);
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (collecting && !stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        int steps = 0;
        try
        {
            for (var clock = Stopwatch.StartNew(); steps < maximumSteps && clock.Elapsed < duration; steps++)
            {
                using var scope = NewDisposeScope();
                foreach (var parameter in parameters)
                    parameter.grad = parameter.detach().cos();
                optimizer.step();
            }
        }
        finally
        {
            stop.Cancel();
            collector.Wait();
        }
        var values = parameters.SelectMany(p => p.data<float>().ToArray()).ToArray();
        parameters.ForEach(p => p.Dispose());
        return (values, steps);
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
