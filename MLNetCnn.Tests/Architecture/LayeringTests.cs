using System.Reflection;
using NetArchTest.Rules;

namespace MLNetCnn.Tests.Architecture;

[TestClass]
public sealed class LayeringTests
{
    private static readonly Assembly Engine = typeof(CnnModel).Assembly;

    [TestCategory("Fast")]

    [TestMethod]
    public void EngineNamespacesUseOnlyTheFloorsBelowThem()
    {
        var violations = Layering.Violations(Engine.Location, Layering.EngineFloors);
        Assert.IsEmpty(violations, "Back-edges between the engine's namespaces (move the type down, or the user up):"
            + Environment.NewLine + string.Join(Environment.NewLine, violations));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void EveryEngineNamespaceHasAFloor()
    {
        // The compiler's own (generated regular expressions) aside.
        var namespaces = Engine.GetTypes().Where(t => !t.IsNested && t.Namespace?.StartsWith("MLNetCnn", StringComparison.Ordinal) == true)
            .Select(t => t.Namespace!);
        var missing = Layering.NamespacesWithoutFloor(namespaces, Layering.EngineFloors);
        Assert.IsEmpty(missing, "Namespaces missing from Layering.EngineFloors: " + string.Join(", ", missing));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void APlantedBackEdgeBreaksTheRule()
    {
        const string clean = """
            namespace MLNetCnn.Runtime { public static class Seeds { public static int Base = 7; } }
            namespace MLNetCnn.Data { public static class Reader { public static int Seed() => MLNetCnn.Runtime.Seeds.Base; } }
            namespace MLNetCnn { public sealed class CnnModel { public int Rows = MLNetCnn.Data.Reader.Seed(); } }
            namespace MLNetCnn.Training { public static class Schedule { public static object Model() => new MLNetCnn.CnnModel(); } }
            """;
        const string planted = clean + """
            namespace MLNetCnn.Runtime { public static class Epochs { public static object Plan() => MLNetCnn.Training.Schedule.Model(); } }
            namespace MLNetCnn.Data { public static class Rows { public static MLNetCnn.CnnModel? Owner; } }
            namespace MLNetCnn.Training { public static class Visual { public static object Kernels = new MLNetCnn.Visualization.Grid(); } }
            namespace MLNetCnn.Visualization { public sealed class Grid { } }
            """;
        var folder = TestFolders.Create();
        string cleanPath = TestAssemblies.Compile(clean, folder, "Clean"), plantedPath = TestAssemblies.Compile(planted, folder, "Planted");

        Assert.IsEmpty(Layering.Violations(cleanPath, Layering.EngineFloors));
        var violations = Layering.Violations(plantedPath, Layering.EngineFloors);
        var failing = violations.Select(v => v.Split(' ')[0]).Order().ToList();
        CollectionAssert.AreEqual(new[] { "MLNetCnn.Data.Rows", "MLNetCnn.Runtime.Epochs", "MLNetCnn.Training.Visual" }, failing,
            string.Join(Environment.NewLine, violations));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ProjectsReferenceOnlyTheProjectsBelowThem()
    {
        var floorOf = Layering.ProjectFloors.SelectMany((names, floor) => names.Select(n => (n, floor))).ToDictionary();
        var violations = new List<string>();
        foreach (var (name, floor) in floorOf)
        {
            var assembly = Assembly.Load(new AssemblyName(name));
            var references = assembly.GetReferencedAssemblies().Select(r => r.Name!);
            foreach (var reference in references.Where(r => r.StartsWith("MLNetCnn", StringComparison.Ordinal)))
            {
                if (!floorOf.TryGetValue(reference, out var referenceFloor) || referenceFloor >= floor)
                    violations.Add($"{name} (floor {floor}) references {reference}");
            }
        }
        Assert.IsEmpty(violations, string.Join(Environment.NewLine, violations));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheEngineUsesNeitherMLNetNorTheUpperProjectsPackages()
    {
        var result = Types.InAssembly(Engine).ShouldNot().HaveDependencyOnAny(
            "Microsoft.ML", "MLNetCnn.Estimators", "MLNetCnn.Cli", "MLNetCnn.Onnx", "MLNetCnn.Plots", "MLNetCnn.Studies",
            "Onnx", "Google.Protobuf", "ScottPlot", "SkiaSharp", "System.CommandLine", "Spectre.Console").GetResult();
        Assert.IsTrue(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheMLNetIntegrationUsesNoCommandLinePackage()
    {
        var estimators = Assembly.Load(new AssemblyName("MLNetCnn.Estimators"));
        var result = Types.InAssembly(estimators).ShouldNot().HaveDependencyOnAny("System.CommandLine", "Spectre.Console", "MLNetCnn.Cli")
            .GetResult();
        Assert.IsTrue(result.IsSuccessful, string.Join(", ", result.FailingTypeNames ?? []));
    }
}
