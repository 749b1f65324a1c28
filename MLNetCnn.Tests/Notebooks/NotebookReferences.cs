using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;

namespace MLNetCnn.Tests.Notebooks;

/// <summary>
/// Resolves a notebook's <c>#r</c> lines to the assemblies this build made, as Polyglot would resolve them to packages:
/// <c>#r "nuget: MLNetCnn.X"</c> and <c>#r "path/MLNetCnn.X.dll"</c> to the freshly built project assembly and everything it
/// references; <c>#r "nuget: Id, Version"</c> of another package only when <c>Directory.Packages.props</c> pins Id at that
/// version, so a notebook cannot drift from the versions the library is built and tested with. Metadata references are made
/// once per file and shared by every notebook, so Roslyn reads each assembly's metadata once.
/// </summary>
internal static partial class NotebookReferences
{
    private const string ProjectPrefix = "MLNetCnn";
    private static readonly ConcurrentDictionary<string, MetadataReference> ByPath = new(StringComparer.Ordinal);
    private static readonly Lazy<IReadOnlyDictionary<string, string>> PinnedVersions = new(ReadPinnedVersions);

    /// <summary>The .NET runtime's own assemblies, which every C# notebook can use without a <c>#r</c>.</summary>
    public static IReadOnlyList<MetadataReference> Framework { get; } = [.. FrameworkAssemblyPaths().Select(Reference)];

    /// <summary>
    /// The assemblies a <c>#r</c> argument (the text between its quotes) brings in, with the metadata references to compile
    /// against; throws an error naming the reference when this build cannot satisfy it.
    /// </summary>
    public static (IReadOnlyList<Assembly> Assemblies, IReadOnlyList<MetadataReference> References) Resolve(string reference)
    {
        var roots = new List<Assembly>();
        if (NuGetReference().Match(reference) is { Success: true } package)
        {
            string id = package.Groups["id"].Value, version = package.Groups["version"].Value;
            if (id.StartsWith(ProjectPrefix, StringComparison.OrdinalIgnoreCase))
            {
                if (version.Length > 0)
                    throw new InvalidDataException($"#r \"{reference}\": reference this library's packages without a version, so the notebook follows the library.");
                roots.Add(LoadProjectAssembly(id, reference));
            }
            else
            {
                if (!PinnedVersions.Value.TryGetValue(id, out var pinned))
                    throw new InvalidDataException($"#r \"{reference}\": the package '{id}' is not one the library is built with (Directory.Packages.props).");
                if (version != pinned)
                    throw new InvalidDataException($"#r \"{reference}\": pin '{id}' at {pinned}, the version in Directory.Packages.props.");
                if (TryLoad(id) is { } assembly)
                    roots.Add(assembly);
            }
        }
        else if (reference.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            roots.Add(LoadProjectAssembly(Path.GetFileNameWithoutExtension(reference.Replace('\\', '/')), reference));
        }
        else
        {
            throw new InvalidDataException($"#r \"{reference}\": expected \"nuget: Id[, Version]\" or a path to a .dll.");
        }
        var assemblies = Closure(roots);
        return (assemblies, [.. assemblies.Select(a => Reference(a.Location))]);
    }

    private static Assembly LoadProjectAssembly(string name, string reference) =>
        TryLoad(name) is { } assembly && name.StartsWith(ProjectPrefix, StringComparison.OrdinalIgnoreCase)
            ? assembly
            : throw new InvalidDataException($"#r \"{reference}\": '{name}' is not a project of this repository that the tests reference.");

    // Every non-framework assembly reachable from the roots, loaded from the test's output folder.
    private static List<Assembly> Closure(IEnumerable<Assembly> roots)
    {
        var found = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        var pending = new Stack<Assembly>(roots);
        while (pending.TryPop(out var assembly))
        {
            if (IsFramework(assembly) || !found.TryAdd(assembly.GetName().Name!, assembly))
                continue;
            foreach (var name in assembly.GetReferencedAssemblies())
            {
                if (!found.ContainsKey(name.Name!) && TryLoad(name.Name!) is { } dependency)
                    pending.Push(dependency);
            }
        }
        return [.. found.Values];
    }

    // A dependency that is not deployed (an optional one of a package) cannot be compiled against either; leaving it out is what Polyglot would do.
    private static Assembly? TryLoad(string name)
    {
        try
        {
            return Assembly.Load(new AssemblyName(name));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private static bool IsFramework(Assembly assembly) =>
        string.IsNullOrEmpty(assembly.Location) || Path.GetDirectoryName(assembly.Location) == Path.TrimEndingDirectorySeparator(RuntimeEnvironment.GetRuntimeDirectory());

    private static IEnumerable<string> FrameworkAssemblyPaths()
    {
        var runtime = Path.TrimEndingDirectorySeparator(RuntimeEnvironment.GetRuntimeDirectory());
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return trusted.Where(path => Path.GetDirectoryName(path) == runtime);
    }

    private static MetadataReference Reference(string path) => ByPath.GetOrAdd(path, p => MetadataReference.CreateFromFile(p));

    private static IReadOnlyDictionary<string, string> ReadPinnedVersions()
    {
        var props = XDocument.Load(Path.Combine(RepositoryFolder.Root, "Directory.Packages.props"));
        return props.Descendants("PackageVersion").ToDictionary(
            p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^\s*nuget:\s*(?<id>[A-Za-z0-9_.-]+)\s*(,\s*(?<version>[^\s,]+)\s*)?$", RegexOptions.IgnoreCase)]
    private static partial Regex NuGetReference();
}
