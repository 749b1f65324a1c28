using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace MLNetCnn.Tests.Architecture;

/// <summary>Compiles C# source into a library, for architecture rules to be shown failing on code planted to break them.</summary>
internal static class TestAssemblies
{
    /// <summary>
    /// Compiles <paramref name="source"/> against the runtime's <c>System.*</c> assemblies and <paramref name="references"/> into
    /// <c>name.dll</c> in <paramref name="folder"/>; returns its path.
    /// </summary>
    public static string Compile(string source, string folder, string name, params string[] references)
    {
        var runtime = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) == "netstandard.dll");
        var compilation = CSharpCompilation.Create(name, [CSharpSyntaxTree.ParseText(source)],
            runtime.Concat(references).Select(p => MetadataReference.CreateFromFile(p)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        string path = Path.Combine(folder, name + ".dll");
        var emitted = compilation.Emit(path);
        Assert.IsTrue(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        return path;
    }
}
