using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MLNetCnn.Onnx;

namespace MLNetCnn.Tests.Cli;

[TestClass]
public sealed class ExportCommandTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void ExportsASavedModelToAnOnnxFileThatOnnxRuntimeScores()
    {
        string onnx = Path.Combine(TestFolders.Create(), "bars.onnx");

        var (exitCode, output, error) = CliInProcess.Run("export", "--model", TrainedCliModel.Model, "--onnx", onnx);

        Assert.AreEqual(0, exitCode, error + output);
        StringAssert.Contains(output, "bars.onnx");
        using var session = new InferenceSession(onnx);
        Assert.AreEqual("Features", session.InputNames.Single());
        CollectionAssert.AreEqual(new[] { -1, 3, 12, 12 }, session.InputMetadata["Features"].Dimensions);
        CollectionAssert.AreEqual(new[] { "a", "b", "c" }, JsonSerializer.Deserialize<string[]>(session.ModelMetadata.CustomMetadataMap[OnnxMetadataKeys.ClassNames]));
        var probabilities = Onnx.OnnxRuntimeScoring.Run(session, new float[2 * 3 * 12 * 12], [2, 3, 12, 12]);
        Assert.AreEqual(2, probabilities.Sum(), 1e-4, "two rows of probabilities");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void WithoutOnnxPathTheFileGoesBesideTheModel()
    {
        string model = Path.Combine(TestFolders.Create(), "copy.zip");
        File.Copy(TrainedCliModel.Model, model);

        var (exitCode, output, error) = CliInProcess.Run("export", "--model", model);

        Assert.AreEqual(0, exitCode, error + output);
        Assert.IsTrue(File.Exists(Path.ChangeExtension(model, ".onnx")));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AMissingModelFailsNamingIt()
    {
        string missing = Path.Combine(TestFolders.Create(), "missing.zip");

        CliInProcess.AssertFails(CliInProcess.Run("export", "--model", missing), missing);
    }
}
