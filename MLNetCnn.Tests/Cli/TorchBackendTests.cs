using System.Text.Json;
using MLNetCnn.Tests.Notebooks;
using MLNetCnn.Tests.Packaging;

namespace MLNetCnn.Tests.Cli;

/// <summary>
/// The command line's TorchSharp backend as a build choice (MSBuild property TorchBackend), checked by evaluating the
/// project: the CUDA packages are not served here, so they are never restored.
/// </summary>
[TestClass]
public sealed class TorchBackendTests
{
    private static readonly string Project = Path.Combine(RepositoryFolder.Root, "MLNetCnn.Cli", "MLNetCnn.Cli.csproj");

    [TestMethod]
    [TestCategory("Process")]
    [DataRow(null, "TorchSharp-cpu")]
    [DataRow("cpu", "TorchSharp-cpu")]
    [DataRow("cuda-linux", "TorchSharp-cuda-linux")]
    [DataRow("cuda-windows", "TorchSharp-cuda-windows")]
    public void TheBackendPropertyPicksExactlyOneTorchSharpRuntimePackageThatHasACentralPin(string? backend, string package)
    {
        var items = Evaluate(backend is null ? [] : [$"-p:TorchBackend={backend}"]);

        var runtimes = Includes(items, "PackageReference").Where(name => name.StartsWith("TorchSharp-", StringComparison.Ordinal));
        CollectionAssert.AreEqual(new[] { package }, runtimes.ToArray());
        var pins = items.GetProperty("PackageVersion").EnumerateArray()
            .ToDictionary(item => item.GetProperty("Identity").GetString()!, item => item.GetProperty("Version").GetString());
        Assert.AreEqual(pins["TorchSharp"], pins[package], "the runtime package is of the same TorchSharp release");
    }

    [TestMethod]
    [TestCategory("Process")]
    public void AnUnknownBackendStopsTheBuildNamingTheChoices()
    {
        var (exitCode, output) = DotnetCommand.Run(RepositoryFolder.Root,
            ["msbuild", Project, "-t:CheckTorchBackend", "-p:TorchBackend=rocm", "-nodeReuse:false"]);

        Assert.AreNotEqual(0, exitCode, output);
        StringAssert.Contains(output, "TorchBackend 'rocm' is not one of cpu, cuda-linux, cuda-windows");
    }

    private static JsonElement Evaluate(string[] properties)
    {
        string output = DotnetCommand.Succeed(RepositoryFolder.Root,
            ["msbuild", Project, "-getItem:PackageReference,PackageVersion", "-nodeReuse:false", .. properties]);
        return JsonDocument.Parse(output).RootElement.GetProperty("Items");
    }

    private static IEnumerable<string> Includes(JsonElement items, string type) =>
        items.GetProperty(type).EnumerateArray().Select(item => item.GetProperty("Identity").GetString()!);
}
