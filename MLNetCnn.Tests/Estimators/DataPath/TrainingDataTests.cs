using Microsoft.ML;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators.DataPath;

/// <summary>The trainer's record files as a user meets them: the kept cache, damaged input, and random stages it cannot apply
/// itself.</summary>
[TestClass]
public sealed class TrainingDataTests
{
    [TestCategory("Fast")]
    [TestMethod]
    [DataRow(1)]
    [DataRow(3)]
    public void AnUnreadableFileMidStreamIsNamedWithItsRowAndLeavesNoCacheBehind(int decodeWorkers)
    {
        var folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 4);
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadImageFolder(folder, 12, 12);
        // The file breaks after loading checked it, as on a disk that fails mid-run.
        string broken = Path.Combine(folder, "b", "2.png");
        File.WriteAllText(broken, "this is not a PNG any more");
        string cache = TestFolders.Create();

        var error = Assert.Throws<Exception>(() => Pipeline(mlContext,
            new CnnClassificationTrainer.Options { Epochs = 1, CacheDirectory = cache, FeatureColumnName = "Image", DecodeWorkers = decodeWorkers }).Fit(data));

        var message = string.Join(" | ", Messages(error));
        StringAssert.Contains(message, "Row 6");
        StringAssert.Contains(message, broken);
        Assert.IsEmpty(Directory.GetFiles(cache), "no cache file, complete or partial, is left behind");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void SeveralDecodeWorkersWriteTheSameCacheAsOne()
    {
        var folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 3, perClass: 7);
        string[] Cache(int decodeWorkers)
        {
            var mlContext = new MLContext(seed: 1);
            string cache = TestFolders.Create();
            var options = new CnnClassificationTrainer.Options
            {
                Epochs = 1, BatchSize = 8, CacheDirectory = cache, ValidationFraction = 0.25, Seed = 3, FeatureColumnName = "Image", DecodeWorkers = decodeWorkers,
            };
            var data = mlContext.Data.LoadImageFolder(folder, new ImageFileOptions { ImageWidth = 12, ImageHeight = 12, DecodeWorkers = decodeWorkers });
            (Pipeline(mlContext, options).Fit(data) as IDisposable)?.Dispose();
            return [.. Directory.GetFiles(cache).Order(StringComparer.Ordinal)];
        }

        var one = Cache(1);
        var three = Cache(3);

        Assert.HasCount(2, one, "the training rows and the held-out rows");
        CollectionAssert.AreEqual(one.Select(Path.GetFileName).ToArray(), three.Select(Path.GetFileName).ToArray());
        for (int i = 0; i < one.Length; i++)
            CollectionAssert.AreEqual(File.ReadAllBytes(one[i]), File.ReadAllBytes(three[i]), $"{Path.GetFileName(one[i])}: the same rows, in the same order");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AKeptCacheIsReusedForTheSameFilesAndRebuiltWhenAFileChanges()
    {
        var folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 4);
        string cache = TestFolders.Create();
        List<string> Fit()
        {
            var mlContext = new MLContext(seed: 1);
            var log = new List<string>();
            mlContext.Log += (_, e) =>
            {
                lock (log)
                    log.Add(e.Message);
            };
            var options = new CnnClassificationTrainer.Options { Epochs = 1, BatchSize = 4, CacheDirectory = cache, ValidationFraction = 0.25, Seed = 2, FeatureColumnName = "Image" };
            (Pipeline(mlContext, options).Fit(mlContext.Data.LoadImageFolder(folder, 12, 12)) as IDisposable)?.Dispose();
            lock (log)
                return [.. log.Where(m => m.Contains("cache", StringComparison.Ordinal))];
        }

        var first = Fit();
        var second = Fit();
        ImageFiles.Write(Path.Combine(folder, "a", "1.png"), label: 0, seed: 99);
        File.SetLastWriteTimeUtc(Path.Combine(folder, "a", "1.png"), DateTime.UtcNow.AddMinutes(1));
        var third = Fit();

        Assert.IsTrue(first.Any(m => m.Contains("there is no cache file yet", StringComparison.Ordinal)), string.Join("\n", first));
        Assert.IsTrue(second.Any(m => m.Contains("Reusing the cache", StringComparison.Ordinal)), string.Join("\n", second));
        Assert.IsFalse(third.Any(m => m.Contains("Reusing", StringComparison.Ordinal)), string.Join("\n", third));
        Assert.IsTrue(third.Any(m => m.Contains("Read 8 rows", StringComparison.Ordinal)), string.Join("\n", third));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ATemporaryCacheIsDeletedWhenFitEnds()
    {
        var before = TemporaryCaches();
        var mlContext = new MLContext(seed: 1);
        var data = new GeneratedDataView(200);

        mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options { Epochs = 1, BatchSize = 50 }).Fit(data).Dispose();

        CollectionAssert.AreEquivalent(before, TemporaryCaches());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void FitDeletesTheTemporaryCachesOfProcessesThatEnded()
    {
        int ended = EndedProcessId();
        string abandoned = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"mlnetcnn-cache-{ended}-{Guid.NewGuid():N}")).FullName;
        File.WriteAllText(Path.Combine(abandoned, "train.records.partial"), "left by a killed run");
        string live = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"mlnetcnn-cache-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;
        try
        {
            var mlContext = new MLContext(seed: 1);
            mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options { Epochs = 1, BatchSize = 50 })
                .Fit(new GeneratedDataView(100)).Dispose();

            Assert.IsFalse(Directory.Exists(abandoned), "the folder of an ended process is deleted");
            Assert.IsTrue(Directory.Exists(live), "a live process's folder (this one's) is kept");
        }
        finally
        {
            foreach (var folder in new[] { abandoned, live }.Where(Directory.Exists))
                Directory.Delete(folder, recursive: true);
        }
    }

    // The id of a process that has just ended, and that no process holds now.
    private static int EndedProcessId()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
            process.WaitForExit();
            if (!MLNetCnn.Runtime.Processes.IsRunning(process.Id) || attempt == 10)
                return process.Id;
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void RandomStagesBehindAnUnknownTransformAreReadAgainEveryEpoch()
    {
        var mlContext = new MLContext(seed: 1);
        var data = new GeneratedDataView(64);
        var log = new List<string>();
        mlContext.Log += (_, e) =>
        {
            lock (log)
                log.Add(e.Message);
        };
        var pipeline = mlContext.Transforms.RandomHorizontalFlip(outputColumnName: "Flipped", inputColumnName: "Features")
            .Append(mlContext.Transforms.CopyColumns("Pixels", "Flipped"))
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(new CnnClassificationTrainer.Options { Epochs = 3, BatchSize = 16, FeatureColumnName = "Pixels" }));

        pipeline.Fit(data).Dispose();

        Assert.AreEqual(3, data.FeaturePasses, "one pass per epoch");
        lock (log)
            Assert.IsTrue(log.Any(m => m.Contains("read again every epoch", StringComparison.Ordinal)));
    }

    private static IEstimator<ITransformer> Pipeline(MLContext mlContext, CnnClassificationTrainer.Options options) =>
        mlContext.Transforms.Conversion.MapValueToKey("Label").Append(mlContext.MulticlassClassification.Trainers.Cnn(options));

    private static string[] TemporaryCaches() =>
        [.. Directory.GetDirectories(Path.GetTempPath(), $"mlnetcnn-cache-{Environment.ProcessId}-*")];

    private static IEnumerable<string> Messages(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
            yield return error.Message;
    }
}
