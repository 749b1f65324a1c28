using System.IO.Compression;
using Microsoft.ML;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class CnnModelOperationsTests
{
    private const string ClassifierEntry = "TransformerChain/Transform_001/Model.key";

    [TestCategory("Fast")]

    [TestMethod]
    public void AProcessKilledWhileSavingLeavesThePreviousModelLoadableAndTheNextSaveRemovesItsTemporaryFile()
    {
        var (mlContext, data, model) = BarsModel.Train(epochs: 1);
        var folder = TestFolders.Create();
        string source = Path.Combine(folder, "source", "model.zip");
        string target = Path.Combine(folder, "target", "model.zip");
        mlContext.Model.SaveAtomically(model, data.Schema, source);
        var expected = BarsModel.Scores(model, data);

        bool killedMidSave = false;
        for (int attempt = 0; attempt < 5 && !killedMidSave; attempt++)
        {
            int child = ChildProcessRunner.KillAfter("saved 2", TimeSpan.FromMilliseconds(attempt * 7), "save-loop", source, target);

            var loaded = new MLContext().Model.LoadFromFile(target, out _);
            CollectionAssert.AreEqual(expected.SelectMany(s => s).ToArray(), BarsModel.Scores(loaded, data).SelectMany(s => s).ToArray(), "the model in place is a whole one");
            var others = Directory.GetFiles(Path.GetDirectoryName(target)!).Where(f => f != target).Select(Path.GetFileName).ToList();
            Assert.IsTrue(others.All(f => f!.StartsWith($".model.zip.{child}.", StringComparison.Ordinal) && f.EndsWith(".tmp", StringComparison.Ordinal)),
                $"beside the model only the killed writer's temporary file: {string.Join(", ", others)}");
            killedMidSave = others.Count > 0;
        }
        Assert.IsTrue(killedMidSave, "one of the kills landed in the middle of a save");

        mlContext.Model.SaveAtomically(model, data.Schema, target);

        CollectionAssert.AreEqual(new[] { target }, Directory.GetFiles(Path.GetDirectoryName(target)!), "the next save removed the abandoned temporary file");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ASaveThatFailsLeavesThePreviousFileAsItWas()
    {
        var (mlContext, data, model) = BarsModel.Train(epochs: 1);
        string path = Path.Combine(TestFolders.Create(), "model.zip");
        mlContext.Model.SaveAtomically(model, data.Schema, path);
        var before = File.ReadAllBytes(path);
        model.Dispose();

        Assert.ThrowsExactly<ObjectDisposedException>(() => mlContext.Model.SaveAtomically(model, data.Schema, path));

        CollectionAssert.AreEqual(before, File.ReadAllBytes(path));
        CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AMissingTruncatedOrTamperedModelFileIsNamedWithTheReason()
    {
        var folder = TestFolders.Create();
        string good = Path.Combine(folder, "model.zip");
        BarsModel.Context.Model.SaveAtomically(BarsModel.Model, BarsModel.Data.Schema, good);
        var bytes = File.ReadAllBytes(good);
        string truncated = Path.Combine(folder, "truncated.zip");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        string tampered = Path.Combine(folder, "tampered.zip");
        File.Copy(good, tampered);
        FlipOneWeightBit(tampered);
        string hugeBatch = Path.Combine(folder, "huge-batch.zip");
        File.Copy(good, hugeBatch);
        DeclareScoringBatchSize(hugeBatch, int.MaxValue);
        string missing = Path.Combine(folder, "missing.zip");
        var mlContext = new MLContext();

        var missingError = Assert.ThrowsExactly<FileNotFoundException>(() => mlContext.Model.LoadFromFile(missing, out _));
        var truncatedError = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.Model.LoadFromFile(truncated, out _));
        var tamperedError = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.Model.LoadFromFile(tampered, out _));
        var hugeBatchError = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.Model.LoadFromFile(hugeBatch, out _));

        StringAssert.Contains(missingError.Message, missing);
        StringAssert.Contains(truncatedError.Message, truncated);
        StringAssert.Contains(tamperedError.Message, tampered);
        StringAssert.Contains(tamperedError.Message, "checksum");
        StringAssert.Contains(hugeBatchError.Message, $"scoring batch size {int.MaxValue}");
        Assert.IsNotNull(mlContext.Model.LoadFromFile(good, out _));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void MlNetsOwnLoadOfADamagedModelCarriesTheReasonAsItsBaseException()
    {
        var folder = TestFolders.Create();
        string tampered = Path.Combine(folder, "tampered.zip");
        BarsModel.Context.Model.SaveAtomically(BarsModel.Model, BarsModel.Data.Schema, tampered);
        FlipOneWeightBit(tampered);

        var error = Assert.Throws<Exception>(() => new MLContext().Model.Load(tampered, out _));

        Assert.IsInstanceOfType<InvalidDataException>(error.GetBaseException());
        StringAssert.Contains(error.GetBaseException().Message, "checksum");
    }

    // A valid zip whose classifier entry differs in one bit of a weight: only the checksum can tell.
    private static void FlipOneWeightBit(string zip) => RewriteClassifierEntry(zip, content => content[content.Length / 2] ^= 1);

    // The entry's fields start with the feature, score and predicted-label column names, then the batch size.
    private static void DeclareScoringBatchSize(string zip, int batchSize) => RewriteClassifierEntry(zip, content =>
    {
        byte[] names = [.. new[] { "Features", "Score", "PredictedLabel" }.SelectMany(name => (byte[])[(byte)name.Length, .. System.Text.Encoding.UTF8.GetBytes(name)])];
        int at = content.AsSpan().IndexOf(names);
        Assert.IsGreaterThanOrEqualTo(0, at);
        BitConverter.GetBytes(batchSize).CopyTo(content, at + names.Length);
    });

    private static void RewriteClassifierEntry(string zip, Action<byte[]> change)
    {
        using var archive = ZipFile.Open(zip, ZipArchiveMode.Update);
        var entry = archive.GetEntry(ClassifierEntry)!;
        byte[] content;
        using (var stream = entry.Open())
        {
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            content = buffer.ToArray();
        }
        change(content);
        entry.Delete();
        using var rewritten = archive.CreateEntry(ClassifierEntry).Open();
        rewritten.Write(content);
    }
}
