using Microsoft.ML;
using MLNetCnn.Tests.ChildProcess;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class CnnClassificationTrainerFaultTests
{
    [TestMethod]
    public void ATrainingProcessKilledBetweenEpochsResumesFromItsLastCheckpointAndEndsAsAnUninterruptedRun()
    {
        string folder = TestFolders.Create();
        using var uninterrupted = CheckpointedRun.Fit(folder: null, resume: false);

        ChildProcessRunner.KillAfter("epoch 1", TimeSpan.Zero, "train", folder);
        using var resumed = CheckpointedRun.Fit(folder, resume: true);

        // The checkpoint of epoch 1 is written before "epoch 1" is printed; the child may finish epoch 2 before the kill lands.
        int? resumedFrom = resumed.LastTransformer.TrainingHistory.ResumedFromStep;
        Assert.IsTrue(resumedFrom is { } step && step >= CheckpointedRun.StepsPerEpoch && step % CheckpointedRun.StepsPerEpoch == 0,
            $"resumed from the last epoch's checkpoint, not from scratch: step {resumedFrom}");
        var data = CheckpointedRun.Data(new MLContext());
        var expected = BarsModel.Scores(uninterrupted, data);
        var actual = BarsModel.Scores(resumed, data);
        for (int row = 0; row < expected.Length; row++)
        {
            for (int c = 0; c < expected[row].Length; c++)
                Assert.AreEqual(expected[row][c], actual[row][c], 1e-5f, $"row {row}, class {c}");
        }
    }
}
