using System.CommandLine;
using System.Text.Json;
using MLNetCnn.Benchmarks.Probes;
using MLNetCnn.Benchmarks.Reports;
using TorchSharp;

namespace MLNetCnn.Benchmarks;

/// <summary>
/// <c>MLNetCnn.Benchmarks [benchmark...] [--smoke] [--repeats N] [--threads N] [--output folder] [--python path | --no-pytorch]</c>:
/// runs the named benchmarks (all of them by default) and writes results.md and results.json.
/// </summary>
internal static class BenchmarkCommandLine
{
    /// <summary>The benchmarks by name, in the order <c>all</c> runs them.</summary>
    public static IReadOnlyDictionary<string, Action<BenchmarkSettings, BenchmarkReport>> Benchmarks { get; } =
        new Dictionary<string, Action<BenchmarkSettings, BenchmarkReport>>
        {
            ["speed"] = SpeedBenchmark.Run,
            ["scoring"] = ScoringBenchmark.Run,
            ["malloc"] = MallocBenchmark.Run,
            ["efficiency"] = EfficiencyBenchmark.Run,
            ["data-path"] = DataPath.DataPathBenchmark.Run,
            ["memory"] = Memory.MemorySoakBenchmark.Run,
            ["scale"] = Scale.ScaleBenchmark.Run,
            ["imbalance"] = ImbalanceBenchmark.Run,
        };

    public static int Run(string[] args, TextWriter output)
    {
        Runtime.TorchNativeLoader.EnsureLoaded();
        var names = new Argument<string[]>("benchmark") { Description = $"Benchmarks to run: {string.Join(", ", Benchmarks.Keys)} (default: all).", Arity = ArgumentArity.ZeroOrMore };
        var smoke = new Option<bool>("--smoke") { Description = "Tiny sizes, in process, without PyTorch: checks that every benchmark runs, in seconds." };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs per figure; the median is reported.", DefaultValueFactory = _ => 5 };
        var threads = new Option<int>("--threads") { Description = "Threads for TorchSharp and PyTorch.", DefaultValueFactory = _ => 2 };
        var folder = new Option<string>("--output", "-o") { Description = "Folder for results.md and results.json.", DefaultValueFactory = _ => "benchmark-results" };
        var python = new Option<string>("--python") { Description = "The Python with PyTorch (Debian: apt-get install python3-torch).", DefaultValueFactory = _ => "/usr/bin/python3" };
        var noPyTorch = new Option<bool>("--no-pytorch") { Description = "Leave the PyTorch comparison out." };
        var root = new RootCommand("MLNetCnn benchmarks: speed against PyTorch, scoring, data path, memory, compute efficiency, malloc settings and scale.")
        {
            names, smoke, repeats, threads, folder, python, noPyTorch,
        };
        root.SetAction(parse =>
        {
            var settings = new BenchmarkSettings
            {
                Repeats = parse.GetValue(repeats),
                Threads = parse.GetValue(threads),
                Output = parse.GetValue(folder)!,
                Python = parse.GetValue(noPyTorch) ? null : parse.GetValue(python),
            };
            if (parse.GetValue(smoke))
                settings = settings.AsSmoke();
            var selected = parse.GetValue(names) is { Length: > 0 } chosen ? chosen : [.. Benchmarks.Keys];
            return RunBenchmarks(settings, selected, output);
        });

        var requestJson = new Argument<string>("request") { Description = "A probe request as JSON." };
        var probe = new Command(ProbeHost.ProbeCommand, "Runs one probe and prints its result as JSON (used by the benchmarks for child processes).") { requestJson };
        probe.Hidden = true;
        probe.SetAction(parse =>
        {
            ProbeRequest request;
            try
            {
                request = JsonSerializer.Deserialize<ProbeRequest>(parse.GetValue(requestJson)!, ProbeHost.RequestJson)
                    ?? throw new JsonException("The probe request is empty.");
            }
            catch (JsonException exception)
            {
                output.WriteLine($"error: the probe request: {exception.Message}");
                return 2;
            }
            output.WriteLine(JsonSerializer.Serialize(ProbeHost.RunHere(request, applyMalloc: true), ProbeHost.Json));
            return 0;
        });
        root.Add(probe);

        var scaleJson = new Argument<string>("request") { Description = "A data path request as JSON." };
        var scale = new Command(Scale.DataPathAtScale.Command, "Measures the data path alone on an image folder and prints the result as JSON (used by the scale benchmark).") { scaleJson };
        scale.Hidden = true;
        scale.SetAction(parse =>
        {
            var request = JsonSerializer.Deserialize<Scale.DataPathAtScaleRequest>(parse.GetValue(scaleJson)!, ProbeHost.RequestJson)
                ?? throw new ArgumentException("The data path request is empty.");
            output.WriteLine(JsonSerializer.Serialize(Scale.DataPathAtScale.Run(request), ProbeHost.Json));
            return 0;
        });
        root.Add(scale);
        return root.Parse(args).Invoke(new InvocationConfiguration { Output = output });
    }

    /// <summary>Runs the named benchmarks with <paramref name="settings"/> and saves the report; returns the exit code.</summary>
    public static int RunBenchmarks(BenchmarkSettings settings, IReadOnlyList<string> selected, TextWriter output)
    {
        var unknown = selected.Where(n => !Benchmarks.ContainsKey(n)).ToList();
        if (unknown.Count > 0)
        {
            output.WriteLine($"error: unknown benchmark(s) {string.Join(", ", unknown)}; known: {string.Join(", ", Benchmarks.Keys)}.");
            return 2;
        }
        var report = new BenchmarkReport(output);
        report.AddMachine(settings);
        int threads = torch.get_num_threads();
        try
        {
            foreach (var name in selected)
                Benchmarks[name](settings, report);
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        report.AddMachineLoad();
        report.Save(settings.Output);
        output.WriteLine($"Results: {Path.GetFullPath(Path.Combine(settings.Output, "results.md"))}");
        return 0;
    }
}
