using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MLNetCnn.Tests.Notebooks;

/// <summary>One cell of a notebook.</summary>
/// <param name="Number">Its place in the notebook, from 1, counting every cell.</param>
/// <param name="Id">Its nbformat 4.5 id, or null.</param>
/// <param name="IsCode">Whether it is a code cell (otherwise markdown or raw).</param>
/// <param name="Source">Its text.</param>
/// <param name="ExecutionCount">The kernel's count for a code cell that ran, else null.</param>
/// <param name="Outputs">What it showed.</param>
internal sealed record NotebookCell(int Number, string? Id, bool IsCode, string Source, int? ExecutionCount, IReadOnlyList<NotebookOutput> Outputs);

/// <summary>A Jupyter notebook (nbformat 4) read from its <c>.ipynb</c> JSON, with the outputs it carries.</summary>
internal sealed class Notebook
{
    private Notebook(string name, int minorFormat, string? recordedSourceHash, IReadOnlyList<NotebookCell> cells)
    {
        Name = name;
        MinorFormat = minorFormat;
        RecordedSourceHash = recordedSourceHash;
        Cells = cells;
    }

    /// <summary>The file name, for messages.</summary>
    public string Name { get; }

    /// <summary>nbformat_minor: 5 or more gives cells ids.</summary>
    public int MinorFormat { get; }

    /// <summary>
    /// The hash of the code cells' sources that <c>scripts/notebook_outputs.py</c> recorded when the outputs were made
    /// (metadata <c>mlnetcnn.sourceHash</c>), or null.
    /// </summary>
    public string? RecordedSourceHash { get; }

    /// <summary>Every cell, in order.</summary>
    public IReadOnlyList<NotebookCell> Cells { get; }

    /// <summary>Every output of every cell, in order.</summary>
    public IEnumerable<NotebookOutput> Outputs => Cells.SelectMany(cell => cell.Outputs);

    /// <summary>The PNG pictures the notebook shows.</summary>
    public IEnumerable<ImageOutput> Images => Outputs.OfType<ImageOutput>();

    /// <summary>All the text and HTML (its entities decoded) it shows, one output a line.</summary>
    public string Text => string.Join("\n", Outputs.Select(output => output switch
    {
        TextOutput text => text.Text,
        HtmlOutput html => WebUtility.HtmlDecode(html.Html),
        _ => "",
    }));

    /// <summary>The SHA-256 of the code cells' sources joined by NUL characters, as <c>scripts/notebook_outputs.py</c> computes
    /// it.</summary>
    public string SourceHash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join('\0', Cells.Where(cell => cell.IsCode).Select(cell => cell.Source)))));

    public static Notebook Load(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        string? hash = root.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("mlnetcnn", out var ours)
            && ours.TryGetProperty("sourceHash", out var recorded) ? recorded.GetString() : null;
        var cells = new List<NotebookCell>();
        foreach (var cell in root.GetProperty("cells").EnumerateArray())
        {
            int number = cells.Count + 1;
            bool isCode = cell.GetProperty("cell_type").GetString() == "code";
            string? id = cell.TryGetProperty("id", out var idElement) ? idElement.GetString() : null;
            int? count = cell.TryGetProperty("execution_count", out var countElement) && countElement.ValueKind == JsonValueKind.Number
                ? countElement.GetInt32() : null;
            var outputs = cell.TryGetProperty("outputs", out var outputElements)
                ? outputElements.EnumerateArray().Select(output => ReadOutput(number, output)).ToList()
                : [];
            cells.Add(new NotebookCell(number, id, isCode, ReadString(cell.GetProperty("source")), count, outputs));
        }
        return new Notebook(Path.GetFileName(path), root.GetProperty("nbformat_minor").GetInt32(), hash, cells);
    }

    private static NotebookOutput ReadOutput(int cell, JsonElement output)
    {
        switch (output.GetProperty("output_type").GetString())
        {
            case "stream":
                return new TextOutput(cell, ReadString(output.GetProperty("text")));
            case "error":
                return new ErrorOutput(cell, $"{output.GetProperty("ename").GetString()}: {output.GetProperty("evalue").GetString()}");
        }
        var data = output.GetProperty("data");
        if (data.TryGetProperty("image/png", out var png))
            return new ImageOutput(cell, Convert.FromBase64String(ReadString(png).Trim()));
        if (data.TryGetProperty("text/html", out var html))
            return new HtmlOutput(cell, ReadString(html));
        return new TextOutput(cell, data.TryGetProperty("text/plain", out var plain) ? ReadString(plain) : "");
    }

    // nbformat stores multi-line strings either whole or as a list of lines.
    private static string ReadString(JsonElement value) => value.ValueKind == JsonValueKind.Array
        ? string.Concat(value.EnumerateArray().Select(line => line.GetString()))
        : value.GetString() ?? "";
}
