using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MLNetCnn.Tests.Notebooks;

namespace MLNetCnn.Tests;

/// <summary>
/// Compiles every C# block of README.md against the built assemblies, as a user would paste it. A block that starts
/// with its own <c>using</c> lines is a whole program and gets only those (and the SDK's implicit usings); the others
/// are fragments and get <see cref="FragmentUsings"/>. Both see the variables the text around them declares (<see cref="Given"/>).
/// </summary>
[TestClass]
public sealed partial class ReadmeSamplesTests
{
    // What a console project's ImplicitUsings brings.
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private const string FragmentUsings = """
        using Microsoft.ML;
        using Microsoft.ML.Data;
        using MLNetCnn;
        using MLNetCnn.Augmentation;
        using MLNetCnn.Data;
        using MLNetCnn.Estimators;
        using MLNetCnn.Explanations;
        using MLNetCnn.Onnx;
        using MLNetCnn.Plots;
        using MLNetCnn.Training;
        using MLNetCnn.Visualization;
        using TorchSharp;
        """;

    // The variables the fragments take from the surrounding text; a fragment's own declarations shadow them.
    private const string Given = """
        global using static ReadmeGiven;
        using Microsoft.ML;
        using MLNetCnn;
        using MLNetCnn.Estimators;
        using MLNetCnn.Explanations;

        static class ReadmeGiven
        {
            public static MLContext mlContext = new();
            public static IDataView train = null!, test = null!, data = null!, validation = null!;
            public static ITransformer model = null!;
            public static CnnClassificationTransformer classifier = null!;
            public static CnnModel cnnModel = null!;
        }
        """;

    [TestMethod]
    public void EveryCSharpBlockOfTheReadmeCompiles()
    {
        var blocks = CSharpBlocks(File.ReadAllText(ReadmePath()));
        Assert.IsGreaterThanOrEqualTo(5, blocks.Count, "README.md's C# blocks were not found.");
        var failures = new List<string>();
        foreach (var (line, given, code) in blocks)
        {
            bool whole = code.TrimStart().StartsWith("using ", StringComparison.Ordinal);
            string source = whole ? code : FragmentUsings + Environment.NewLine + given + code;
            var errors = Compile(source).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0)
                failures.Add($"README.md line {line}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", errors)}");
        }
        Assert.IsEmpty(failures, string.Join(Environment.NewLine, failures));
    }

    [TestMethod]
    public void NoReadmeSampleImportsTheEstimatorsNamespaceForCatalogMethods()
    {
        var whole = CSharpBlocks(File.ReadAllText(ReadmePath()))
            .Where(b => b.Code.TrimStart().StartsWith("using ", StringComparison.Ordinal));
        var importing = whole.Where(b => b.Code.Contains("using MLNetCnn.Estimators;", StringComparison.Ordinal))
            .Select(b => b.Line).ToList();
        Assert.IsEmpty(importing, "README.md programs import MLNetCnn.Estimators at lines " + string.Join(", ", importing));
    }

    // A fragment whose text names variables of other types says so in an HTML comment before it, which renders as nothing:
    // <!-- given: CnnModel model; float[] pixels --> declares them for the compiler.
    private static IReadOnlyList<(int Line, string Given, string Code)> CSharpBlocks(string markdown) =>
        CSharpBlock().Matches(markdown)
            .Select(m => (markdown[..m.Groups["code"].Index].Count(c => c == '\n'), Declarations(m.Groups["given"].Value),
                m.Groups["code"].Value))
            .ToList();

    private static string Declarations(string given) =>
        string.Concat(given.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => d + " = default!;" + Environment.NewLine));

    private static IEnumerable<Diagnostic> Compile(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .GroupBy(Path.GetFileName).Select(g => MetadataReference.CreateFromFile(g.First()));
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("ReadmeSample",
            [
                CSharpSyntaxTree.ParseText(ImplicitUsings, options),
                CSharpSyntaxTree.ParseText(Given, options),
                CSharpSyntaxTree.ParseText(source, options),
            ],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics();
    }

    private static string ReadmePath() => Path.Combine(RepositoryFolder.Root, "README.md");

    [GeneratedRegex(@"(?:^<!-- given: (?<given>[^\n]*?) -->\r?\n)?^```csharp\r?\n(?<code>.*?)^```",
        RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
