using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using MLNetCnn.Tests.Notebooks;

namespace MLNetCnn.Tests.Packaging;

/// <summary>
/// The packages as a user gets them: the library projects packed with <c>dotnet pack</c>, restored into a new console app
/// from a local folder plus the configured feeds, and used through the ML.NET API. A package that depends on a project
/// left unpacked (MLNetCnn.Estimators on MLNetCnn.Onnx, say) fails the restore.
/// </summary>
[TestClass]
public sealed partial class PackageConsumptionTests
{
    /// <summary>The library packages, every one a user may reference; the CLI is a tool package and not a dependency of them.</summary>
    private static readonly string[] LibraryProjects = ["MLNetCnn", "MLNetCnn.Onnx", "MLNetCnn.Estimators", "MLNetCnn.Plots"];

    private const string ConsumerProgram = """
        using System.Globalization;
        using Microsoft.ML;
        using MLNetCnn.Data;
        using MLNetCnn.Estimators;
        using MLNetCnn.Plots;

        var mlContext = new MLContext(seed: 1);
        IDataView train = mlContext.Data.LoadFashionMnistSample(DataSplit.Train);
        IDataView test = mlContext.Data.LoadFashionMnistSample(DataSplit.Test);
        var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.Cnn(
                new CnnClassificationTrainer.Options { Architecture = "lenet5", Epochs = 1 }));
        var model = pipeline.Fit(train);

        mlContext.Model.Save(model, train.Schema, "model.zip");
        var loaded = new MLContext().Model.Load("model.zip", out _);
        var metrics = mlContext.MulticlassClassification.Evaluate(loaded.Transform(test));
        mlContext.Model.ConvertCnnToOnnx(model, "model.onnx");
        Charts.LearningCurves(model.LastTransformer.TrainingHistory).SavePng("learning-curves.png");
        Console.WriteLine("accuracy " + metrics.MicroAccuracy.ToString("F4", CultureInfo.InvariantCulture));
        """;

    [TestMethod]
    [TestCategory("Process")]
    public void AFreshConsoleAppRestoresThePackedLibrariesAndTrainsAnEpochThroughMlNet()
    {
        string folder = TestFolders.Create();
        try
        {
            // A version of this run's own, so the packages cannot be mistaken for other builds of the same release.
            string suffix = $"test.{Guid.NewGuid():N}"[..17];
            string version = $"{RepositoryProperty("Directory.Build.props", "VersionPrefix")}-{suffix}";
            var clock = System.Diagnostics.Stopwatch.StartNew();
            string feed = Pack(folder, suffix, version);
            var packed = clock.Elapsed;
            string consumer = WriteConsumer(folder, feed, version);

            // A private global packages folder: the packed versions never reach the shared one, which serves the rest read-only.
            var restore = new Dictionary<string, string>
            {
                ["NUGET_PACKAGES"] = Path.Combine(folder, "packages"),
                ["NUGET_HTTP_CACHE_PATH"] = Path.Combine(folder, "http-cache"),
            };
            DotnetCommand.Succeed(consumer, ["build", "-c", "Release", "-nodeReuse:false", "-p:UseSharedCompilation=false"], restore);
            var built = clock.Elapsed;
            string app = Path.Combine(consumer, "bin", "Release", TargetFramework, "Consumer.dll");
            string output = DotnetCommand.Succeed(consumer, [app], restore);
            Console.WriteLine($"packed in {packed.TotalSeconds:F0} s, restored and built in {(built - packed).TotalSeconds:F0} s, " +
                $"trained and scored in {(clock.Elapsed - built).TotalSeconds:F0} s: {output.Trim()}");

            var accuracy = AccuracyLine().Match(output);
            Assert.IsTrue(accuracy.Success, output);
            double accuracyValue = double.Parse(accuracy.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.IsGreaterThan(0.4, accuracyValue, "one epoch of LeNet-5 beats chance (0.1) by far");
            long onnxBytes = new FileInfo(Path.Combine(consumer, "model.onnx")).Length;
            Assert.IsGreaterThan(10_000L, onnxBytes, "the ONNX export of MLNetCnn.Onnx ran");
            CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' },
                File.ReadAllBytes(Path.Combine(consumer, "learning-curves.png"))[..4], "MLNetCnn.Plots drew a PNG");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Packs the library projects as built with the tests, as <paramref name="version"/>; returns the folder.</summary>
    private static string Pack(string folder, string suffix, string version)
    {
        string feed = Path.Combine(folder, "feed");
        string configuration = typeof(PackageConsumptionTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        foreach (var project in LibraryProjects)
        {
            DotnetCommand.Succeed(folder, ["pack", Path.Combine(RepositoryFolder.Root, project, project + ".csproj"),
                "-c", configuration, "--no-build", "--version-suffix", suffix, "-o", feed,
                $"-p:NuspecOutputPath={Path.Combine(folder, "nuspec")}/", "-nodeReuse:false"]);
        }
        var packed = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order().ToArray();
        CollectionAssert.AreEqual(LibraryProjects.Select(p => $"{p}.{version}.nupkg").Order().ToArray(), packed);
        return feed;
    }

    /// <summary>Writes a console app referencing the packages as a user would, beside a NuGet config that adds the local feed.</summary>
    private static string WriteConsumer(string folder, string feed, string version)
    {
        string consumer = Directory.CreateDirectory(Path.Combine(folder, "consumer")).FullName;
        File.WriteAllText(Path.Combine(consumer, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>{TargetFramework}</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="MLNetCnn.Estimators" Version="{version}" />
                <PackageReference Include="MLNetCnn.Plots" Version="{version}" />
                <PackageReference Include="TorchSharp-cpu" Version="{PinnedVersion("TorchSharp-cpu")}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(consumer, "Program.cs"), ConsumerProgram);
        File.WriteAllText(Path.Combine(consumer, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="mlnetcnn-packed" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="shared" value="{SharedPackagesFolder()}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        return consumer;
    }

    private static string TargetFramework => $"net{Environment.Version.Major}.{Environment.Version.Minor}";

    private static string PinnedVersion(string package) =>
        XDocument.Load(Path.Combine(RepositoryFolder.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(p => (string?)p.Attribute("Include") == package).Attribute("Version")!.Value;

    private static string RepositoryProperty(string file, string name) =>
        XDocument.Load(Path.Combine(RepositoryFolder.Root, file)).Descendants(name).Single().Value;

    /// <summary>The machine's global packages folder, as NuGet itself reports it.</summary>
    private static string SharedPackagesFolder()
    {
        string output = DotnetCommand.Succeed(RepositoryFolder.Root, ["nuget", "locals", "global-packages", "--list"]);
        var match = GlobalPackagesLine().Match(output);
        return match.Success ? match.Groups[1].Value.Trim() : throw new InvalidOperationException($"No global-packages line in: {output}");
    }

    [GeneratedRegex(@"^accuracy ([0-9.]+)$", RegexOptions.Multiline)]
    private static partial Regex AccuracyLine();

    [GeneratedRegex(@"global-packages: (.+)$", RegexOptions.Multiline)]
    private static partial Regex GlobalPackagesLine();
}
