using System.Text.Json;

namespace MLNetCnn.Tests.Notebooks;

/// <summary>One cell of a notebook.</summary>
/// <param name="Number">Its place in the notebook, from 1, counting every cell.</param>
/// <param name="IsCode">Whether it is a code cell (otherwise markdown or raw).</param>
/// <param name="Kernel">The kernel a code cell runs in, for example <c>csharp</c>.</param>
/// <param name="Source">Its text.</param>
internal sealed record NotebookCell(int Number, bool IsCode, string Kernel, string Source);

/// <summary>A Polyglot (.NET Interactive) notebook read from its <c>.ipynb</c> JSON (nbformat 4).</summary>
internal sealed class Notebook
{
    private Notebook(string name, IReadOnlyList<NotebookCell> cells)
    {
        Name = name;
        Cells = cells;
    }

    /// <summary>The file name, for messages.</summary>
    public string Name { get; }

    /// <summary>Every cell, in order.</summary>
    public IReadOnlyList<NotebookCell> Cells { get; }

    public static Notebook Load(string path) => Parse(Path.GetFileName(path), File.ReadAllText(path));

    /// <summary>
    /// Reads the JSON of a notebook. A code cell's kernel is its <c>polyglot_notebook.kernelName</c> (or the older
    /// <c>dotnet_interactive.language</c>), else the notebook's default kernel.
    /// </summary>
    public static Notebook Parse(string name, string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string defaultKernel = Find(root, "metadata", "polyglot_notebook", "kernelInfo", "defaultKernelName")
            ?? Find(root, "metadata", "kernelspec", "language")?.ToLowerInvariant() switch
            {
                "c#" => "csharp",
                var other => other,
            }
            ?? throw new InvalidDataException($"{name}: the notebook names no default kernel (metadata.polyglot_notebook.kernelInfo.defaultKernelName).");
        var cells = new List<NotebookCell>();
        foreach (var cell in root.GetProperty("cells").EnumerateArray())
        {
            bool isCode = cell.GetProperty("cell_type").GetString() == "code";
            string kernel = Find(cell, "metadata", "polyglot_notebook", "kernelName") ?? Find(cell, "metadata", "dotnet_interactive", "language") ?? defaultKernel;
            cells.Add(new NotebookCell(cells.Count + 1, isCode, kernel, Source(cell.GetProperty("source"))));
        }
        return new Notebook(name, cells);
    }

    private static string Source(JsonElement source) => source.ValueKind == JsonValueKind.Array
        ? string.Concat(source.EnumerateArray().Select(line => line.GetString()))
        : source.GetString() ?? "";

    private static string? Find(JsonElement element, params string[] path)
    {
        foreach (var name in path)
        {
            if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out element))
                return null;
        }
        return element.ValueKind == JsonValueKind.String ? element.GetString() : null;
    }
}
