using System.Text.RegularExpressions;
using Mono.Cecil;
using NetArchTest.Rules;

namespace MLNetCnn.Tests.Architecture;

/// <summary>
/// The layers of the code and the rule that checks them with NetArchTest: floors listed bottom to top, where a namespace
/// (with its sub-namespaces) may use any namespace on a lower floor, none on its own floor and none above. A floor's
/// position is the only place a direction is written, so a cycle cannot be declared.
/// </summary>
internal static class Layering
{
    /// <summary>
    /// The engine's floors (MLNetCnn, no ML.NET). The root namespace holds the model: CnnModel, ModelZoo, summaries,
    /// test-time scoring.
    /// </summary>
    public static readonly string[][] EngineFloors =
    [
        ["MLNetCnn.Runtime"],
        ["MLNetCnn.IO"],
        ["MLNetCnn.Data"],
        ["MLNetCnn.Augmentation", "MLNetCnn.Pretrained", "MLNetCnn.Explanations"],
        ["MLNetCnn.Export"],
        ["MLNetCnn.Layers"],
        ["MLNetCnn.Architectures"],
        ["MLNetCnn"],
        ["MLNetCnn.Training", "MLNetCnn.Visualization"],
    ];

    /// <summary>The projects, bottom to top: an assembly may reference the project assemblies on lower floors only.</summary>
    public static readonly string[][] ProjectFloors =
    [
        ["MLNetCnn"],
        ["MLNetCnn.Onnx", "MLNetCnn.Plots"],
        ["MLNetCnn.Estimators"],
        ["MLNetCnn.Studies", "MLNetCnn.Tests.ChildProcess"],
        ["MLNetCnn.Cli"],
        ["MLNetCnn.Benchmarks"],
    ];

    /// <summary>
    /// The dependencies in the assembly at <paramref name="assemblyPath"/> that break <paramref name="floors"/>, one line
    /// each: "type (namespace, floor) uses one of: forbidden namespaces or types".
    /// </summary>
    public static IReadOnlyList<string> Violations(string assemblyPath, string[][] floors)
    {
        Types types() => Types.FromFile(assemblyPath);
        List<string> all;
        using (var assembly = AssemblyDefinition.ReadAssembly(assemblyPath))
            all = assembly.MainModule.Types.Select(t => t.FullName).ToList();
        var violations = new List<string>();
        for (int floor = 0; floor < floors.Length; floor++)
        {
            foreach (var layer in floors[floor])
            {
                // Its own floor's siblings and every floor above, except namespaces nested in this layer.
                var forbidden = floors.Skip(floor).SelectMany(f => f)
                    .Where(n => n != layer && !n.StartsWith(layer + ".", StringComparison.Ordinal))
                    .SelectMany(n => DependencyNames(n, floors, all))
                    .ToArray();
                if (forbidden.Length == 0)
                    continue;
                var result = types().That().ResideInNamespaceMatching(Pattern(layer, floors))
                    .ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
                if (result.IsSuccessful)
                    continue;
                foreach (var failing in result.FailingTypeNames ?? [])
                    violations.Add($"{failing} ({layer}, floor {floor}) uses one of: {string.Join(", ", forbidden)}");
            }
        }
        return violations;
    }

    /// <summary>The namespaces of <paramref name="typeNames"/> (nested ones included) that no floor names.</summary>
    public static IReadOnlyList<string> NamespacesWithoutFloor(IEnumerable<string> namespaces, string[][] floors)
    {
        var layers = floors.SelectMany(f => f).ToList();
        return namespaces.Distinct()
            .Where(ns => !layers.Any(l => ns == l || (IsSubNamespace(ns, l) && !IsRootOf(l, layers))))
            .Order().ToList();
    }

    // A layer that is the parent of other layers (the engine's root) owns its own namespace only; the others own their
    // sub-namespaces too.
    private static bool IsRootOf(string layer, List<string> layers) => layers.Any(l => IsSubNamespace(l, layer));

    private static bool IsSubNamespace(string ns, string parent) => ns.StartsWith(parent + ".", StringComparison.Ordinal);

    private static string Pattern(string layer, string[][] floors) =>
        IsRootOf(layer, floors.SelectMany(f => f).ToList()) ? $"^{Regex.Escape(layer)}$" : $"^{Regex.Escape(layer)}(\\..+)?$";

    // NetArchTest matches a dependency name as a namespace or a type name prefix; a parent layer's namespace would match its
    // children too, so a root layer is named by its types.
    private static IEnumerable<string> DependencyNames(string layer, string[][] floors, IEnumerable<string> typeNames) =>
        IsRootOf(layer, floors.SelectMany(f => f).ToList())
            ? typeNames.Where(n => n.StartsWith(layer + ".", StringComparison.Ordinal) && !n[(layer.Length + 1)..].Contains('.'))
            : [layer];
}
