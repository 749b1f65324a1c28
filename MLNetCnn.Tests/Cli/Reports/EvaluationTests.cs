using Microsoft.ML;
using MLNetCnn.Cli;
using MLNetCnn.Cli.Reports;

namespace MLNetCnn.Tests.Cli.Reports;

[TestClass]
public sealed class EvaluationTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void FindingTheTopLossesAddsNoPassOverTheData()
    {
        var mlContext = new MLContext(seed: 1);
        using var model = ModelFile.Load(mlContext, TrainedCliModel.Model);
        var classifier = model.Classifier;
        var images = TrainedCliModel.LoadData(mlContext, classifier.FeatureColumnName);
        var plain = new PassCountingDataView(images);
        var alone = Evaluation.Compute(mlContext, classifier, plain);
        var data = new PassCountingDataView(images);
        var topLosses = new TopLosses(classifier, 5);
        Assert.ThrowsExactly<InvalidOperationException>(() => topLosses.Highest, "nothing scored yet");

        var evaluation = Evaluation.Compute(mlContext, classifier, data, topLosses: topLosses);

        Assert.AreEqual(plain.Passes, data.Passes, "the evaluator's scoring pass finds the top losses too");
        Assert.AreEqual(alone.MicroAccuracy, evaluation.MicroAccuracy);
        Assert.AreEqual(alone.LogLoss, evaluation.LogLoss, 1e-6);
        CollectionAssert.AreEqual(alone.Confusion.SelectMany(r => r).ToArray(), evaluation.Confusion.SelectMany(r => r).ToArray());
        var losses = topLosses.Highest;
        Assert.HasCount(5, losses);
        CollectionAssert.AreEqual(losses.OrderByDescending(l => l.Loss).ToArray(), losses.ToArray(), "highest first");
        Assert.IsGreaterThanOrEqualTo(evaluation.LogLoss, losses[0].Loss, "the highest loss is at least the mean");
        Assert.IsTrue(losses.All(l => l.Pixels.Length == 3 * 12 * 12 && l.Image is not null), "each keeps its pixels and file");
    }
}
