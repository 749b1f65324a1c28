using MLNetCnn.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class ScheduleFactoryTests
{
    private const int StepsPerEpoch = 4;
    private const double Rate = 0.1;

    [TestCategory("Fast")]

    [TestMethod]
    public void ConstantKeepsTheLearningRate() =>
        AssertFollows(new TrainingOptions { LearningRate = Rate, Epochs = 3 }, _ => Rate);

    [TestCategory("Fast")]

    [TestMethod]
    public void StepDecaysByGammaEveryStepEpochs() =>
        AssertFollows(new TrainingOptions { LearningRate = Rate, Epochs = 6, Schedule = ScheduleKind.Step, StepEpochs = 2, Gamma = 0.5 },
            t => Rate * Math.Pow(0.5, t / (2 * StepsPerEpoch)));

    [TestCategory("Fast")]

    [TestMethod]
    public void MultiStepDecaysAtEachMilestoneAfterTheWarmup()
    {
        const int warmup = StepsPerEpoch;
        AssertFollows(new TrainingOptions
        {
            LearningRate = Rate, Epochs = 6, Schedule = ScheduleKind.MultiStep, Milestones = [1, 4], Gamma = 0.1, WarmupEpochs = 1,
        }, t => t < warmup
            ? Warmup(t, warmup)
            : Rate * Math.Pow(0.1, new[] { 1, 4 }.Count(m => m * StepsPerEpoch <= t - warmup)));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void CosineAnnealsToTheMinimumAfterALinearWarmup()
    {
        const double min = 1e-4;
        const int warmup = 2, total = 5 * StepsPerEpoch;
        AssertFollows(new TrainingOptions { LearningRate = Rate, Epochs = 5, Schedule = ScheduleKind.Cosine, MinLearningRate = min, WarmupEpochs = 0.5 },
            t => t < warmup ? Warmup(t, warmup) : min + (Rate - min) * (1 + Math.Cos(Math.PI * (t - warmup) / (total - warmup))) / 2);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void OneCycleRisesThenAnnealsAndCyclesMomentum()
    {
        const int total = 5 * StepsPerEpoch;
        double rising = ScheduleFactory.OneCycleRisingFraction * total - 1;
        double initial = Rate / 25, final = initial / 1e4;
        static double Anneal(double start, double end, double fraction) => end + (start - end) / 2 * (Math.Cos(Math.PI * fraction) + 1);
        double Phase(int t, double first, double peak, double last) =>
            t <= rising ? Anneal(first, peak, t / rising) : Anneal(peak, last, (t - rising) / (total - 1 - rising));

        var options = new TrainingOptions { LearningRate = Rate, Epochs = 5, Schedule = ScheduleKind.OneCycle, Optimizer = OptimizerKind.Sgd };
        AssertFollows(options, t => Phase(t, initial, Rate, final), t => Phase(t, 0.95, 0.85, 0.95));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void WarmupWithOneCycleIsRejectedByName()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            new TrainingOptions { Schedule = ScheduleKind.OneCycle, WarmupEpochs = 1 }.Validate());
        StringAssert.Contains(error.Message, "WarmupEpochs");
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DataRow(ScheduleKind.Constant, 1.0)]
    [DataRow(ScheduleKind.Step, 0.0)]
    [DataRow(ScheduleKind.Cosine, 0.0)]
    public void EveryParameterGroupKeepsItsShareOfTheLearningRate(ScheduleKind kind, double warmupEpochs)
    {
        var options = new TrainingOptions { LearningRate = Rate, Epochs = 4, Schedule = kind, StepEpochs = 1, WarmupEpochs = warmupEpochs }.Validate();
        using var head = new Parameter(zeros(1));
        using var backbone = new Parameter(zeros(1));
        using var optimizer = OptimizerFactory.Create(options, [([head], 1.0), ([backbone], 0.1)]);
        var schedule = ScheduleFactory.Create(optimizer, options, StepsPerEpoch);
        for (int t = 0; t < options.Epochs * StepsPerEpoch; t++)
        {
            var rates = optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
            Assert.AreEqual(0.1 * rates[0], rates[1], 1e-12 + 1e-9 * rates[0], $"{kind}: the backbone's rate at step {t}");
            schedule.step();
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void OneCycleRefusesASeparateBackboneLearningRate()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() =>
            new TrainingOptions { Schedule = ScheduleKind.OneCycle, BackboneLearningRateFactor = 0.1 }.Validate());
        StringAssert.Contains(error.Message, "OneCycleLR");
    }

    private static double Warmup(int t, int steps) => Rate * (ScheduleFactory.WarmupStartFactor + (1 - ScheduleFactory.WarmupStartFactor) * t / steps);

    /// <summary>Steps the schedule through the run and compares the learning rate (and momentum) of every step with the closed
    /// form.</summary>
    private static void AssertFollows(TrainingOptions options, Func<int, double> learningRate, Func<int, double>? momentum = null)
    {
        using var parameter = new Parameter(zeros(1));
        using var optimizer = OptimizerFactory.Create(options.Validate(), [parameter]);
        var schedule = ScheduleFactory.Create(optimizer, options, StepsPerEpoch);
        for (int t = 0; t < options.Epochs * StepsPerEpoch; t++)
        {
            double expected = learningRate(t);
            Assert.AreEqual(expected, optimizer.ParamGroups.First().LearningRate, 1e-12 + 1e-9 * expected, $"learning rate of step {t}");
            if (momentum is not null)
                Assert.AreEqual(momentum(t), ((optim.IMomentum)optimizer.ParamGroups.First()).Momentum, 1e-9, $"momentum of step {t}");
            schedule.step();
        }
    }
}
