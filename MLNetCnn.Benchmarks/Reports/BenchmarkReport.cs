using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Runtime.InteropServices;
using MLNetCnn.Benchmarks.Machine;
using MLNetCnn.IO;

namespace MLNetCnn.Benchmarks.Reports;

/// <summary>
/// The results of a benchmark run: Markdown sections for people (results.md) and the same numbers as JSON
/// (results.json), written atomically to the output folder, with the machine and its load when the run started and ended.
/// </summary>
internal sealed class BenchmarkReport(TextWriter console)
{
    private readonly StringBuilder _markdown = new();
    private readonly JsonObject _json = [];

    /// <summary>Adds a section: a heading, Markdown lines, and its numbers under <paramref name="key"/> in the JSON.</summary>
    public void Add(string key, string title, IEnumerable<string> markdown, JsonNode data)
    {
        var section = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"## {title}").AppendLine();
        foreach (var line in markdown)
            section.AppendLine(line);
        section.AppendLine();
        _markdown.Append(section);
        _json[key] = data;
        console.Write(section.ToString());
        console.Flush();
    }

    /// <summary>The machine section: processor, memory, software and the load average when the run starts.</summary>
    public void AddMachine(BenchmarkSettings settings)
    {
        var cpu = CpuInfo.Read();
        var load = MachineLoad.Now();
        var lines = new List<string>
        {
            $"- Processor: {cpu.Model} ({cpu.FamilyModelStepping}), {cpu.LogicalCpus} logical CPUs, {cpu.Cores} cores, {cpu.Megahertz:F0} MHz",
            $"- SIMD: {cpu.SimdFlags}",
            $"- Memory: {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB; {RuntimeInformation.OSDescription}",
            $"- Software: {Probes.TrainingProbe.RuntimeDescription()}",
            $"- Settings: {settings.Threads} threads, batch {settings.BatchSize}, median of {settings.Repeats}{(settings.Smoke ? ", SMOKE RUN (tiny sizes; the numbers mean nothing)" : "")}",
            $"- Load average at the start (1, 5, 15 min): {load}",
        };
        Add("machine", "Machine", lines, new JsonObject
        {
            ["cpu"] = cpu.Model,
            ["familyModelStepping"] = cpu.FamilyModelStepping,
            ["logicalCpus"] = cpu.LogicalCpus,
            ["cores"] = cpu.Cores,
            ["megahertz"] = cpu.Megahertz,
            ["simd"] = cpu.SimdFlags,
            ["os"] = RuntimeInformation.OSDescription,
            ["runtime"] = Probes.TrainingProbe.RuntimeDescription(),
            ["threads"] = settings.Threads,
            ["smoke"] = settings.Smoke,
            ["loadAtStart"] = load.ToString(),
        });
    }

    /// <summary>The load average when the run ends, to judge how quiet the machine was.</summary>
    public void AddMachineLoad()
    {
        var load = MachineLoad.Now();
        Add("loadAtEnd", "Load at the end", [$"Load average at the end (1, 5, 15 min): {load}"], JsonValue.Create(load.ToString()));
    }

    /// <summary>Writes results.md and results.json to <paramref name="folder"/>.</summary>
    public void Save(string folder)
    {
        WriteText(Path.Combine(folder, "results.md"), "# MLNetCnn benchmark results\n\n" + _markdown);
        WriteText(Path.Combine(folder, "results.json"), _json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static void WriteText(string path, string text) => AtomicFile.Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, leaveOpen: true);
        writer.Write(text);
    });

    /// <summary>A Markdown table row.</summary>
    public static string Row(params object[] cells) => "| " + string.Join(" | ", cells.Select(Format)) + " |";

    /// <summary>A Markdown table header with its separator line.</summary>
    public static IEnumerable<string> Header(params string[] columns) =>
        [Row(columns), "|" + string.Concat(columns.Select(_ => "---|"))];

    public static string Format(object value) => value switch
    {
        double d when double.IsNaN(d) => "-",
        double d when Math.Abs(d) >= 100 => d.ToString("N0", CultureInfo.InvariantCulture),
        double d when Math.Abs(d) >= 10 => d.ToString("F1", CultureInfo.InvariantCulture),
        double d => d.ToString("G3", CultureInfo.InvariantCulture),
        long l => l.ToString("N0", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>A ratio with the target it is held to: "1.02x (>= 0.95: met)".</summary>
    public static string Ratio(double ratio, double? target = null) =>
        double.IsNaN(ratio) ? "-"
        : target is { } t ? $"{ratio.ToString("F2", CultureInfo.InvariantCulture)}x ({(ratio >= t ? "met" : "missed")} >= {t.ToString("0.0#", CultureInfo.InvariantCulture)})"
        : $"{ratio.ToString("F2", CultureInfo.InvariantCulture)}x";
}
