using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using MLNetCnn.Estimators;
using MLNetCnn.Studies;

namespace MLNetCnn.Tests.Studies;

[TestClass]
public sealed class CnnStudyTests
{
    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgresql")]
    public void ManyWorkersClaimingManyTinyTrialsNeverRunOneTwice(string kind)
    {
        var study = NewStudy(kind, trials: 150);
        var claimed = new ConcurrentBag<int>();

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            string worker = CnnStudy.NewWorkerName();
            while (study.TryClaim(worker, TimeSpan.FromMinutes(1)) is { } claim)
            {
                claimed.Add(claim.Number);
                Assert.IsTrue(study.Finish(claim, Completed(claim, 0.5 + claim.Number / 1000.0), model: [1, 2, 3], keepAllModels: false));
            }
        });

        CollectionAssert.AreEquivalent(Enumerable.Range(1, 150).ToArray(), claimed.ToArray());
        var trials = study.Trials();
        Assert.IsTrue(trials.All(t => t.State == CnnStudyTrialState.Completed && t.Attempts == 1), string.Join("; ", trials.Where(t => t.Attempts != 1)));
        Assert.HasCount(150, study.Attempts());
        CollectionAssert.AreEqual(new[] { 150 }, study.Models().Keys.ToArray(), "only the best trial's model stays");
    }

    [TestMethod]
    [DataRow("sqlite")]
    [DataRow("postgresql")]
    public void ATrialWhoseLeaseRunsOutGoesBackToTheQueueAndItsHolderCannotFinishIt(string kind)
    {
        var study = NewStudy(kind, trials: 2);
        // A worker on another machine: only its lease tells whether it still works.
        var lost = study.TryClaim("another-machine/4242/0/tag", TimeSpan.FromSeconds(1))!;
        var alive = study.TryClaim("another-machine/4243/0/tag", TimeSpan.FromMinutes(5))!;
        Assert.IsEmpty(study.RequeueAbandoned());

        Thread.Sleep(TimeSpan.FromSeconds(1.5));
        CollectionAssert.AreEqual(new[] { lost.Number }, study.RequeueAbandoned().ToArray());

        Assert.IsFalse(study.Heartbeat(lost, TimeSpan.FromMinutes(1)));
        Assert.IsTrue(study.Heartbeat(alive, TimeSpan.FromMinutes(1)));
        var again = study.TryClaim(CnnStudy.NewWorkerName(), TimeSpan.FromMinutes(1))!;
        Assert.AreEqual(lost.Number, again.Number);
        Assert.IsFalse(study.Finish(lost, Completed(lost, 0.9), null, false), "the first holder's late result is not written");
        Assert.IsTrue(study.Finish(again, Completed(again, 0.8), null, false));
        var trial = study.Trials().Single(t => t.Number == lost.Number);
        Assert.AreEqual((CnnStudyTrialState.Completed, 2, 0.8), (trial.State, trial.Attempts, trial.Score));
        CollectionAssert.AreEqual(new[] { "abandoned", "completed" },
            study.Attempts().Where(a => a.Number == lost.Number).Select(a => a.Outcome).ToArray());
    }

    [TestMethod]
    public void AStudyStartedWithOtherSettingsIsNotResumed()
    {
        var study = NewStudy("sqlite", trials: 2);

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => study.Enqueue("{\"Seed\":2}", [new CnnCandidate("lenet5")]));

        StringAssert.Contains(error.Message, "was started with other settings");
        Assert.HasCount(2, study.Trials());
    }

    [TestMethod]
    public void ADatabaseWithOtherTablesANewerSchemaOrNoSqliteAtAllIsRefusedAndLeftUntouched()
    {
        string folder = TestFolders.Create();
        string foreign = Path.Combine(folder, "foreign.db");
        using (var connection = new SqliteConnection($"Data Source={foreign};Pooling=False"))
        {
            connection.Open();
            using var command = new SqliteCommand("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)", connection);
            command.ExecuteNonQuery();
        }
        string newer = Path.Combine(folder, "newer.db");
        CnnStudyStorage.Open($"sqlite:///{newer}");
        using (var connection = new SqliteConnection($"Data Source={newer};Pooling=False"))
        {
            connection.Open();
            using var command = new SqliteCommand("UPDATE mlnetcnn_schema SET version = 99; PRAGMA wal_checkpoint(TRUNCATE)", connection);
            command.ExecuteNonQuery();
        }
        string text = Path.Combine(folder, "notes.db");
        File.WriteAllText(text, "not a database, just some notes that happen to end in .db and must survive\n");

        foreach (var (path, fragment) in new[] { (foreign, "holds tables that are not an MLNetCnn study store (invoices)"),
            (newer, "schema version 99, newer than the 1"), (text, "is not an SQLite database") })
        {
            byte[] before = File.ReadAllBytes(path);
            var error = Assert.ThrowsExactly<InvalidOperationException>(() => CnnStudyStorage.Open($"sqlite:///{path}"), path);
            StringAssert.Contains(error.Message, fragment);
            StringAssert.Contains(error.Message, "left untouched");
            CollectionAssert.AreEqual(before, File.ReadAllBytes(path), path);
        }
    }

    [TestMethod]
    public void APostgresDatabaseWithOtherTablesIsRefused()
    {
        string url = PostgresServer.NewDatabase();
        using (var connection = new Npgsql.NpgsqlConnection(ConnectionString(url)))
        {
            connection.Open();
            using var command = new Npgsql.NpgsqlCommand("CREATE TABLE invoices (id INTEGER PRIMARY KEY)", connection);
            command.ExecuteNonQuery();
        }

        var error = Assert.ThrowsExactly<InvalidOperationException>(() => CnnStudyStorage.Open(url));

        StringAssert.Contains(error.Message, "(invoices); it was left untouched");
        StringAssert.Contains(error.Message, ":***@", "the password is not shown");
    }

    [TestMethod]
    public void AnUnknownStorageUrlSaysHowToSpellOne()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => CnnStudyStorage.Open("mysql://localhost/db"));
        StringAssert.Contains(error.Message, "sqlite:///PATH/TO/study.db");
    }

    internal static string ConnectionString(string url)
    {
        var uri = new Uri(url);
        return $"Host={uri.Host};Port={uri.Port};Username={uri.UserInfo.Split(':')[0]};Database={uri.AbsolutePath.TrimStart('/')}";
    }

    internal static string NewStorageUrl(string kind) =>
        kind == "sqlite" ? $"sqlite:///{Path.Combine(TestFolders.Create(), "study.db")}" : PostgresServer.NewDatabase();

    private static CnnStudy NewStudy(string kind, int trials)
    {
        var study = CnnStudy.CreateOrLoad(CnnStudyStorage.Open(NewStorageUrl(kind)), "tiny");
        study.Enqueue("{\"Seed\":1}", [.. Enumerable.Range(1, trials).Select(i => new CnnCandidate("lenet5") { LearningRate = i / 1000.0 })]);
        return study;
    }

    private static CnnTrialResult Completed(ClaimedTrial claim, double accuracy) =>
        new(claim.Number, claim.Candidate, CnnExperimentMetric.MicroAccuracy)
        {
            Status = CnnTrialStatus.Completed,
            FoldMetrics = [ExperimentMetrics.Restore(accuracy, accuracy, 0.5, 0.1, [accuracy], [0.5, 0.5])],
        };
}
