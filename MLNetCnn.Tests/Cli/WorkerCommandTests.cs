using MLNetCnn.Cli.Reports;
using MLNetCnn.Estimators;
using MLNetCnn.Studies;
using MLNetCnn.Tests.Studies;

namespace MLNetCnn.Tests.Cli;

/// <summary>Studies through the command line: compare with --storage, killed and resumed, and mlnetcnn worker processes sharing one
/// study.</summary>
[TestClass]
public sealed class WorkerCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    [TestMethod]
    public void ThreeWorkersFinishATwelveTrialPostgresStudyWithEveryTrialRunOnce()
    {
        string url = PostgresServer.NewDatabase();
        string run = Path.Combine(TestFolders.Create(), "compare");
        using var coordinator = CliProcess.Start([.. Compare(Data(), "--lr", "0.1", "0.05", "0.02", "0.01", "0.005", "0.002", "--batch-size", "8", "16", "--epochs", "1"),
            "--storage", url, "--study", "twelve", "--wait-for-workers", "--output", run]);
        var study = WaitForStudy(url, "twelve", coordinator);

        var workers = Enumerable.Range(0, 3).Select(_ => CliProcess.Start("worker", "--storage", url, "--study", "twelve")).ToList();
        try
        {
            foreach (var worker in workers)
                Assert.AreEqual(0, worker.WaitForExit(Limit), worker.Output);
            Assert.AreEqual(0, coordinator.WaitForExit(Limit), coordinator.Output);

            var trials = study.Trials();
            Assert.HasCount(12, trials);
            Assert.IsTrue(trials.All(t => t.State == CnnStudyTrialState.Completed && t.Attempts == 1), string.Join("; ", trials));
            var attempts = study.Attempts();
            CollectionAssert.AreEquivalent(Enumerable.Range(1, 12).ToArray(), attempts.Select(a => a.Number).ToArray());
            var perWorker = workers.Select(w => attempts.Count(a => a.Worker.Contains($"/{w.Id}/", StringComparison.Ordinal))).ToArray();
            Assert.AreEqual(12, perWorker.Sum(), string.Join(", ", attempts));
            Assert.IsGreaterThanOrEqualTo(2, perWorker.Count(n => n > 0), $"the work was shared: {string.Join(", ", perWorker)}");
            StringAssert.Contains(coordinator.Output, "Waiting for workers: mlnetcnn worker --storage postgresql://mlnetcnn:***@");
            var report = ComparisonReport.FromJson(File.ReadAllText(Path.Combine(run, ComparisonReport.JsonFile)));
            Assert.HasCount(12, report.Rows);
            Assert.IsTrue(File.Exists(report.BestModel), "the best model came back from the store");
        }
        finally
        {
            workers.ForEach(w => w.Dispose());
        }
    }

    [TestMethod]
    public void AWorkerKilledMidTrialHasItsTrialRequeuedAndFinishedByAnother()
    {
        string url = PostgresServer.NewDatabase();
        using var coordinator = CliProcess.Start([.. Compare(Data(), "--lr", "0.05", "0.02", "0.01", "0.005", "--epochs", "3"),
            "--storage", url, "--study", "killed", "--wait-for-workers", "--lease", "3s", "--output", Path.Combine(TestFolders.Create(), "compare")]);
        var study = WaitForStudy(url, "killed", coordinator);
        CnnStudyAttempt held;
        using (var doomed = CliProcess.Start("worker", "--storage", url, "--study", "killed"))
        {
            held = WaitFor(() => study.Attempts().FirstOrDefault(a => a.Worker.Contains($"/{doomed.Id}/", StringComparison.Ordinal) && a.Outcome is null),
                doomed, "the first worker to claim a trial");
            doomed.Kill();
        }

        using var survivor = CliProcess.Start("worker", "--storage", url, "--study", "killed");
        Assert.AreEqual(0, survivor.WaitForExit(Limit), survivor.Output);
        Assert.AreEqual(0, coordinator.WaitForExit(Limit), coordinator.Output);

        var trials = study.Trials();
        Assert.IsTrue(trials.All(t => t.State == CnnStudyTrialState.Completed), string.Join("; ", trials));
        var attempts = study.Attempts().Where(a => a.Number == held.Number).ToList();
        Assert.AreEqual("abandoned", attempts[0].Outcome, string.Join("; ", attempts));
        Assert.AreEqual("completed", attempts[^1].Outcome);
        Assert.Contains($"/{survivor.Id}/", attempts[^1].Worker);
        Assert.IsTrue(study.Attempts().GroupBy(a => a.Number).All(g => g.Count(a => a.Outcome == "completed") == 1), "no trial completed twice");
        // Whoever looks first (the waiting coordinator or the new worker) sees that the killed process is gone.
        StringAssert.Contains(coordinator.Output + survivor.Output, $"Re-queued trial {held.Number}: the process that held it stopped");
    }

    [TestMethod]
    public void ASqliteComparisonKilledMidRunResumesWithoutRedoingFinishedTrialsAndEndsWithTheUninterruptedLeaderboard()
    {
        string data = Data();
        string folder = TestFolders.Create();
        // Epochs enough that a trial lasts far longer than the gap between two: the kill lands inside one on a fast CPU too.
        string[] arguments = [.. Compare(data, "--lr", "0.05", "0.02", "0.01", "--batch-size", "8", "16", "--epochs", "20"), "--study", "resumed"];
        string url = $"sqlite:///{Path.Combine(folder, "runs", "study.db")}";
        string run = Path.Combine(folder, "compare");
        CnnStudy study;
        IReadOnlyList<int> finishedBeforeKill;
        CnnStudyAttempt held;
        using (var first = CliProcess.Start([.. arguments, "--storage", url, "--output", run]))
        {
            study = WaitForStudy(url, "resumed", first);
            WaitFor(() => study.Trials().Count(t => t.State == CnnStudyTrialState.Completed) >= 2
                ? study.Attempts().FirstOrDefault(a => a.Outcome is null) : null, first, "two finished trials and a running one");
            first.Kill();
            finishedBeforeKill = [.. study.Trials().Where(t => t.State == CnnStudyTrialState.Completed).Select(t => t.Number)];
            // The trial seen running may have finished before the kill landed: the one held is the one open at the kill.
            held = study.Attempts().FirstOrDefault(a => a.Outcome is null)
                ?? throw new AssertFailedException($"the kill landed between two trials: {string.Join("; ", study.Attempts())}");
        }
        Assert.AreEqual(CnnStudyTrialState.Running, study.Trials().Single(t => t.Number == held.Number).State);

        var (exitCode, output) = CliProcess.Run([.. arguments, "--storage", url, "--output", run]);

        Assert.AreEqual(0, exitCode, output);
        StringAssert.Contains(output, $"Resuming study 'resumed' in {url}: {finishedBeforeKill.Count} of 6 trials finished.");
        StringAssert.Contains(output, $"Re-queued trial {held.Number}");
        var trials = study.Trials();
        Assert.IsTrue(trials.All(t => t.State == CnnStudyTrialState.Completed), string.Join("; ", trials));
        foreach (int number in finishedBeforeKill)
            Assert.AreEqual(1, trials.Single(t => t.Number == number).Attempts, $"trial {number} was not run again");
        CollectionAssert.AreEqual(new[] { "abandoned", "completed" },
            study.Attempts().Where(a => a.Number == held.Number).Select(a => a.Outcome).ToArray());

        string uninterrupted = Path.Combine(folder, "uninterrupted");
        var again = CliProcess.Run([.. arguments, "--storage", $"sqlite:///{Path.Combine(folder, "other.db")}", "--output", uninterrupted]);
        Assert.AreEqual(0, again.ExitCode, again.Output);
        var resumedRows = ComparisonReport.FromJson(File.ReadAllText(Path.Combine(run, ComparisonReport.JsonFile))).Rows;
        var uninterruptedRows = ComparisonReport.FromJson(File.ReadAllText(Path.Combine(uninterrupted, ComparisonReport.JsonFile))).Rows;
        Assert.HasCount(6, resumedRows);
        foreach (var row in uninterruptedRows)
        {
            // Same seed, same trial: the same holdout, initialisation and batches. A margin for kernels that sum in another order.
            var resumed = resumedRows.Single(r => r.Trial == row.Trial);
            Assert.AreEqual(row.Candidate, resumed.Candidate);
            Assert.AreEqual(row.LogLoss!.Value, resumed.LogLoss!.Value, 1e-3, $"trial {row.Trial}");
        }
    }

    [TestMethod]
    public void SuccessiveHalvingRunsEveryTrialToARungAndRecordsWhereItStoppedWeakOnes()
    {
        string url = $"sqlite:///{Path.Combine(TestFolders.Create(), "study.db")}";
        string run = Path.Combine(TestFolders.Create(), "compare");

        var (exitCode, output, error) = CliInProcess.Run([.. Compare(Data(), "--lr", "0.05", "0.01", "0.002", "0.0005", "--epochs", "4"),
            "--successive-halving", "--storage", url, "--study", "halving", "--output", run]);

        Assert.AreEqual(0, exitCode, error + output);
        var rows = ComparisonReport.FromJson(File.ReadAllText(Path.Combine(run, ComparisonReport.JsonFile))).Rows;
        Assert.HasCount(4, rows);
        Assert.AreEqual(CnnTrialStatus.Completed, rows.Single(r => r.Trial == 1).Status, "the first trial at a rung always goes on");
        Assert.IsTrue(rows.All(r => r.Status is CnnTrialStatus.Completed or CnnTrialStatus.Pruned), string.Join("; ", rows));
        var study = CnnStudy.Load(CnnStudyStorage.Open(url), "halving");
        Assert.IsTrue(study.Trials().All(t => t.IsFinished && t.Attempts == 1));
        foreach (var row in rows.Where(r => r.Status == CnnTrialStatus.Pruned))
            StringAssert.Contains(output, $"Trial {row.Trial}: stopped by successive halving after epoch ");
    }

    private static string Data() => ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 12, seed: 5);

    private static string[] Compare(string data, params string[] settings) =>
        ["compare", "--data", data, "--arch", "lenet5", "--image-size", "12", "--holdout-fraction", "0.25", .. settings];

    private static CnnStudy WaitForStudy(string url, string name, CliProcess.Running creator) =>
        WaitFor(() => TryLoad(url, name) is { } study && study.Trials().Count > 0 ? study : null, creator, $"study '{name}' with its trials queued");

    private static CnnStudy? TryLoad(string url, string name)
    {
        try
        {
            return CnnStudy.Load(CnnStudyStorage.Open(url), name);
        }
        catch (InvalidOperationException)
        {
            return null;   // not created yet
        }
    }

    private static T WaitFor<T>(Func<T?> probe, CliProcess.Running process, string what) where T : class
    {
        var deadline = DateTime.UtcNow + Limit;
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } found)
                return found;
            if (process.HasExited)
                Assert.Fail($"mlnetcnn ended before {what}: {process.Output}");
            Thread.Sleep(50);
        }
        Assert.Fail($"Waited {Limit.TotalMinutes} minutes for {what}: {process.Output}");
        return null;
    }
}
