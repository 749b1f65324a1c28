using System.Text.Json.Nodes;
using MLNetCnn.Benchmarks;

namespace MLNetCnn.Tests.Benchmarks;

[TestClass]
public sealed class BenchmarkSmokeTests
{
    private static readonly string[] Models = ["lenet5", "resnet20"];

    [TestMethod]
    public void EveryBenchmarkRunsInSmokeModeAndWritesItsFigures()
    {
        string folder = TestFolders.Create();
        var output = new StringWriter();

        int exitCode = BenchmarkCommandLine.Run(["--smoke", "--threads", "1", "--output", folder], output);

        Assert.AreEqual(0, exitCode, output.ToString());
        var results = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "results.json")))!;
        Assert.IsTrue(results["machine"]!["smoke"]!.GetValue<bool>());

        var speed = results["speed"]!.AsArray();
        CollectionAssert.AreEqual(Models, speed.Select(m => m!["model"]!.GetValue<string>()).ToArray());
        foreach (var model in speed)
        {
            foreach (var way in new[] { "engine", "pipeline" })
                Assert.IsGreaterThan(0.0, model!["dotnet"]!["trainImagesPerSecond"]![way]![0]!.GetValue<double>(), $"{model["model"]} {way}");
        }
        foreach (var model in results["scoring"]!.AsArray())
        {
            Assert.IsGreaterThan(0.0, model!["dotnet"]!["scoreImagesPerSecond"]!["pipeline"]![0]!.GetValue<double>());
            Assert.IsGreaterThan(0.0, model["dotnet"]!["latencyMilliseconds"]!["pipeline"]![0]!.GetValue<double>());
        }

        var malloc = results["malloc"]!.AsArray();
        StringAssert.Contains(malloc[^1]!["setting"]!.GetValue<string>(), "KeepFreedMemory");
        Assert.IsGreaterThan(0.0, malloc[^1]!["result"]!["trainImagesPerSecond"]!["engine"]![0]!.GetValue<double>(), "a child process applied the tuning and trained");

        Assert.IsGreaterThan(0.0, results["efficiency"]!["achievedGflops"]!.GetValue<double>());
        Assert.IsGreaterThan(0.0, results["dataPath"]!["feedMs"]!.GetValue<double>());
        Assert.IsGreaterThan(0.0, results["dataPath"]!["lenet5StepMs"]!.GetValue<double>());
        Assert.HasCount(20, results["memory"]!["training"]!.AsArray());
        Assert.HasCount(20, results["memory"]!["prediction"]!.AsArray());
        var scale = results["scale"]!.AsArray();
        Assert.HasCount(2, scale, "the command line trained on two folders of generated photos");
        foreach (var run in scale)
        {
            Assert.IsGreaterThan(0L, run!["peakResidentBytes"]!.GetValue<long>());
            Assert.IsGreaterThan(0.0, run["imagesPerSecond"]!.GetValue<double>());
            Assert.IsGreaterThan(0.0, run["dataPath"]!["cachedRowsPerSecond"]!.GetValue<double>());
        }
        Assert.HasCount(3, results["imbalance"]!["runs"]!.AsArray());
        StringAssert.Contains(File.ReadAllText(Path.Combine(folder, "results.md")), "| lenet5 |");
    }

    [TestMethod]
    public void AnUnknownBenchmarkIsNamedWithTheKnownOnes()
    {
        var output = new StringWriter();

        int exitCode = BenchmarkCommandLine.Run(["speeed", "--smoke", "--output", TestFolders.Create()], output);

        Assert.AreEqual(2, exitCode);
        StringAssert.Contains(output.ToString(), "unknown benchmark(s) speeed; known: speed, scoring");
    }

    [TestMethod]
    public void AProbeRequestKeyThatNamesNoSettingIsRefusedNamingIt()
    {
        var output = new StringWriter();

        int exitCode = BenchmarkCommandLine.Run(["probe", """{"task":"Train","Architecture":"resnet8"}"""], output);

        Assert.AreEqual(2, exitCode, output.ToString());
        StringAssert.Contains(output.ToString(), "error: the probe request:");
        StringAssert.Contains(output.ToString(), "Architecture");
    }
}
