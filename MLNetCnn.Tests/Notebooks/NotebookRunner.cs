using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis.Scripting.Hosting;

namespace MLNetCnn.Tests.Notebooks;

/// <summary>What running a notebook showed, and how long each code cell took (wall-clock and the process's CPU time).</summary>
internal sealed record NotebookRun(Notebook Notebook, IReadOnlyList<NotebookOutput> Outputs, IReadOnlyDictionary<int, (TimeSpan Wall, TimeSpan Cpu)> CellTimes)
{
    public IEnumerable<ImageOutput> Images => Outputs.OfType<ImageOutput>();

    public IEnumerable<TableOutput> Tables => Outputs.OfType<TableOutput>();

    /// <summary>All text the cells displayed or wrote to the console.</summary>
    public string Text => string.Join("\n", Outputs.OfType<TextOutput>().Select(o => o.Text));

    public string Timing =>
        $"{CellTimes.Values.Sum(t => t.Wall.TotalSeconds):F1} s ({CellTimes.Values.Sum(t => t.Cpu.TotalSeconds):F1} s CPU): " +
        string.Join(", ", CellTimes.Select(t => $"cell {t.Key} {t.Value.Wall.TotalSeconds:F1} s ({t.Value.Cpu.TotalSeconds:F1} s CPU)"));
}

/// <summary>
/// Runs a notebook's C# cells in order, as one Roslyn script session like Polyglot's C# kernel: the same default imports
/// and language version, each cell a submission that sees the ones before it, <c>#r</c> lines resolved to this build by
/// <see cref="NotebookReferences"/>, <c>display</c> and the cell's final expression captured by <see cref="NotebookKernel"/>.
/// Cells run in a fresh temporary folder, so files a notebook writes do not land in the repository.
/// A cell that does not compile or throws fails the test, naming the notebook, the cell and the error.
/// </summary>
internal static class NotebookRunner
{
    private static readonly string[] PolyglotImports = ["System", "System.Text", "System.Collections", "System.Collections.Generic", "System.Threading.Tasks", "System.Linq"];
    private static readonly Lazy<ScriptOptions> BaseOptions = new(() => ScriptOptions.Default
        .WithLanguageVersion(LanguageVersion.Latest)
        .WithImports(PolyglotImports)
        .WithReferences(NotebookReferences.Framework));

    public static NotebookRun Run(string fileName) => Run(Notebook.Load(Path.Combine(RepositoryFolder.Notebooks, fileName)));

    public static NotebookRun Run(Notebook notebook)
    {
        var kernel = new NotebookKernel();
        var loader = new InteractiveAssemblyLoader();
        loader.RegisterDependency(typeof(NotebookKernel).Assembly);
        var options = BaseOptions.Value;
        ScriptState<object>? state = null;
        var times = new Dictionary<int, (TimeSpan Wall, TimeSpan Cpu)>();
        var folder = TestFolders.Create();
        var (workingDirectory, console) = (Environment.CurrentDirectory, Console.Out);
        Directory.SetCurrentDirectory(folder);
        try
        {
            foreach (var cell in notebook.Cells.Where(c => c.IsCode))
            {
                if (cell.Kernel is not ("csharp" or "C#"))
                    Fail(notebook, cell, $"it runs in the '{cell.Kernel}' kernel; notebooks here are C# only.");
                kernel.CurrentCell = cell.Number;
                var (code, references) = Directives(notebook, cell);
                foreach (var reference in references)
                {
                    try
                    {
                        var (assemblies, metadata) = NotebookReferences.Resolve(reference);
                        foreach (var assembly in assemblies)
                            loader.RegisterDependency(assembly);
                        options = options.AddReferences(metadata);
                    }
                    catch (InvalidDataException e)
                    {
                        Fail(notebook, cell, e.Message);
                    }
                }
                var (clock, cpu) = (Stopwatch.StartNew(), Process.GetCurrentProcess().TotalProcessorTime);
                Console.SetOut(kernel.Console);
                try
                {
                    state = state is null
                        ? CSharpScript.Create(code, options, typeof(NotebookKernel), loader).RunAsync(kernel).GetAwaiter().GetResult()
                        : state.ContinueWithAsync(code, options).GetAwaiter().GetResult();
                }
                catch (CompilationErrorException e)
                {
                    Fail(notebook, cell, $"it does not compile: {string.Join("; ", e.Diagnostics)}");
                }
                catch (Exception e)
                {
                    Fail(notebook, cell, Describe(e));
                }
                finally
                {
                    Console.SetOut(console);
                }
                times[cell.Number] = (clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
                if (state!.ReturnValue is { } value)
                    kernel.display(value);
                kernel.FlushConsole();
            }
        }
        finally
        {
            Directory.SetCurrentDirectory(workingDirectory);
            Directory.Delete(folder, recursive: true);
        }
        return new NotebookRun(notebook, kernel.Outputs, times);
    }

    // #r lines become references; other directives Polyglot knows but the tests do not run are errors rather than silently skipped.
    private static (string Code, List<string> References) Directives(Notebook notebook, NotebookCell cell)
    {
        var references = new List<string>();
        var lines = cell.Source.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith("#r ", StringComparison.Ordinal))
            {
                int open = line.IndexOf('"', StringComparison.Ordinal), close = line.LastIndexOf('"');
                if (open < 0 || close <= open)
                    Fail(notebook, cell, $"line {i + 1}: '{line}' is not #r \"reference\".");
                references.Add(line[(open + 1)..close]);
                lines[i] = "";
            }
            else if (line is "#!csharp" or "#!c#")
            {
                lines[i] = "";
            }
            else if (line.StartsWith("#!", StringComparison.Ordinal) || line.StartsWith("#i ", StringComparison.Ordinal))
            {
                Fail(notebook, cell, $"line {i + 1}: '{line}' is a Polyglot directive the tests do not run; put it in a comment or in the notebook's text.");
            }
        }
        return (string.Join('\n', lines), references);
    }

    private static string Describe(Exception e)
    {
        while (e is TargetInvocationException or AggregateException && e.InnerException is not null)
            e = e.InnerException;
        var message = $"{e.GetType().Name}: {e.Message}";
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
            message += $" ---> {inner.GetType().Name}: {inner.Message}";
        return message;
    }

    [DoesNotReturn]
    private static void Fail(Notebook notebook, NotebookCell cell, string message) =>
        Assert.Fail($"{notebook.Name}, cell {cell.Number}: {message}");
}
