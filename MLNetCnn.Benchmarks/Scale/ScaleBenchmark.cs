using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNetCnn.Benchmarks.Machine;
using MLNetCnn.Benchmarks.Probes;
using MLNetCnn.Benchmarks.Reports;
using MLNetCnn.Data;
using static MLNetCnn.Benchmarks.Reports.BenchmarkReport;

namespace MLNetCnn.Benchmarks.Scale;

/// <summary>
/// Training on more images than fit in memory, as a user meets it: folders of generated colour JPEGs
/// (<c>scripts/make-photos224.py</c>: Fashion-MNIST upscaled and tinted) of two sizes, ten times apart, each trained for an
/// epoch by the <c>mlnetcnn train</c> command in a child process whose memory is sampled; the data path alone on the
/// folders (decode rates with one and more workers, the first pass, and shuffled epochs of the cache); and PyTorch's
/// <c>DataLoader</c> over torchvision's <c>ImageFolder</c> decoding the same files with the same numbers of workers.
/// Targets: the two training runs' peaks within 10 % of each other and under 2.5 GB.
/// </summary>
internal static class ScaleBenchmark
{
    private const string Architecture = "mobilenet-v1-0.25";
    private const double PeakLimitBytes = 2.5e9;
    private const double PeakSpread = 0.10;
    private static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The generator script, copied next to this program.</summary>
    public static string GeneratorScript => Path.Combine(AppContext.BaseDirectory, "scripts", "make-photos224.py");

    /// <summary>The PyTorch decode script, next to this program.</summary>
    public static string PyTorchScript => Path.Combine(AppContext.BaseDirectory, "pytorch", "decode.py");

    public static void Run(BenchmarkSettings settings, BenchmarkReport report)
    {
        var (small, large, size, cachedRows) = settings.Smoke ? (24, 48, 32, 200L) : (3_000, 30_000, 224, 200_000L);
        int[] workers = [1, Estimators.DecodeWorkers.Resolve(0)];
        if (workers[1] == 1)
            workers = [1, 2];
        string root = TemporaryRecordFolder.Create();
        try
        {
            var runs = new List<(int Images, JsonObject Result)>();
            foreach (int images in new[] { small, large })
            {
                string folder = Path.Combine(root, $"photos{images}");
                Generate(settings, folder, images, size);
                runs.Add((images, Train(folder, size, images, settings)));
                if (images == small)
                {
                    // The worker counts compared on the small folder; the large one is read once, with the default.
                    runs[^1].Result["dataPath"] = DataPath(folder, size, workers, decodeOnly: true, Math.Min(cachedRows, 10L * images), settings);
                    if (settings.Python is { } python)
                        runs[^1].Result["pytorch"] = new JsonArray([.. workers.Select(w => PyTorchDecode(python, folder, size, w, settings))]);
                }
                else
                {
                    runs[^1].Result["dataPath"] = DataPath(folder, size, [workers[1]], decodeOnly: false, cachedRows, settings);
                }
                Directory.Delete(folder, recursive: true);
            }
            Report(report, settings, runs, workers, size);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Generate(BenchmarkSettings settings, string folder, int images, int size)
    {
        var start = new ProcessStartInfo(settings.Python ?? "/usr/bin/python3");
        foreach (var argument in new[] { GeneratorScript, folder, "--count", $"{images}", "--size", $"{size}", "--seed", "1" })
            start.ArgumentList.Add(argument);
        var (exitCode, _, error, _, _) = ProcessMemory.RunSampled(start, TimeSpan.FromSeconds(1));
        if (exitCode != 0)
            throw new InvalidOperationException($"{GeneratorScript} failed with exit code {exitCode}: {error.Trim()}");
    }

    /// <summary>The issue's command on the folder, in a child process; its memory, speed and accuracy.</summary>
    private static JsonObject Train(string folder, int size, int images, BenchmarkSettings settings)
    {
        string output = Path.Combine(Path.GetDirectoryName(folder)!, $"run{images}");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory };
        foreach (var argument in new[]
                 {
                     Path.Combine(AppContext.BaseDirectory, "MLNetCnn.Cli.dll"), "train", "--data", folder, "--arch", Architecture,
                     "--image-size", $"{size}", "--channels", "3", "--epochs", "1", "--test-fraction", "0.1", "--output", output,
                 })
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["NO_COLOR"] = "1";
        var load = MachineLoad.Now().OneMinute;
        var (exitCode, stdout, error, largest, elapsed) = ProcessMemory.RunSampled(start, SampleInterval);
        if (exitCode != 0)
            throw new InvalidOperationException($"mlnetcnn train on {images} images failed with exit code {exitCode}: {error.Trim()} {Tail(stdout)}");
        var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "metrics.json")))!;
        var epoch = metrics["history"]![0]!;
        return new JsonObject
        {
            ["images"] = images,
            ["peakResidentBytes"] = largest.PeakResident,
            ["peakAnonymousBytes"] = largest.Anonymous,
            ["peakFileBackedBytes"] = largest.FileBacked,
            ["epochSeconds"] = epoch["elapsedSeconds"]!.GetValue<double>(),
            ["imagesPerSecond"] = epoch["imagesPerSecond"]!.GetValue<double>(),
            ["commandSeconds"] = elapsed.TotalSeconds,
            ["testAccuracy"] = metrics["test"]!["microAccuracy"]!.GetValue<double>(),
            ["loadAtStart"] = load,
            ["loadAtEnd"] = MachineLoad.Now().OneMinute,
        };
    }

    /// <summary>The data path alone, in a child process of this program (so that its memory is its own).</summary>
    private static JsonObject DataPath(string folder, int size, int[] workers, bool decodeOnly, long cachedRows, BenchmarkSettings settings)
    {
        var request = new DataPathAtScaleRequest(folder, size, workers, decodeOnly, cachedRows, settings.BatchSize);
        var start = ProbeHost.SelfStart();
        start.ArgumentList.Add(DataPathAtScale.Command);
        start.ArgumentList.Add(JsonSerializer.Serialize(request, ProbeHost.Json));
        var load = MachineLoad.Now().OneMinute;
        var (exitCode, stdout, error, largest, _) = ProcessMemory.RunSampled(start, SampleInterval);
        if (exitCode != 0)
            throw new InvalidOperationException($"The data path probe on {folder} failed with exit code {exitCode}: {error.Trim()} {Tail(stdout)}");
        var result = JsonNode.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1])!.AsObject();
        result["peakResidentBytesSampled"] = largest.PeakResident;
        result["loadAtStart"] = load;
        result["loadAtEnd"] = MachineLoad.Now().OneMinute;
        return result;
    }

    private static JsonObject PyTorchDecode(string python, string folder, int size, int workers, BenchmarkSettings settings)
    {
        var start = new ProcessStartInfo(python);
        foreach (var argument in new[] { PyTorchScript, folder, $"{size}", $"{workers}", $"{settings.BatchSize}" })
            start.ArgumentList.Add(argument);
        var load = MachineLoad.Now().OneMinute;
        var (exitCode, stdout, error, _, _) = ProcessMemory.RunSampled(start, SampleInterval);
        if (exitCode != 0)
            throw new InvalidOperationException($"{PyTorchScript} failed with exit code {exitCode}: {error.Trim()}");
        var result = JsonNode.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1])!.AsObject();
        result["load"] = load;
        return result;
    }

    private static void Report(BenchmarkReport report, BenchmarkSettings settings, List<(int Images, JsonObject Result)> runs, int[] workers, int size)
    {
        static string Gb(double bytes) => (bytes / 1e9).ToString("F2", CultureInfo.InvariantCulture);
        static double Number(JsonNode node, string name) => node[name] is JsonValue value && value.GetValueKind() == JsonValueKind.Number
            ? double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture)
            : double.NaN;
        var peaks = runs.Select(r => Number(r.Result, "peakResidentBytes")).ToArray();
        double spread = (peaks.Max() - peaks.Min()) / peaks.Min();
        var lines = new List<string>
        {
            $"`mlnetcnn train --data photos{size} --arch {Architecture} --image-size {size} --channels 3 --epochs 1 --test-fraction 0.1` on " +
            $"folders of {string.Join(" and ", runs.Select(r => $"{r.Images:N0}"))} generated {size}x{size} JPEGs (scripts/make-photos224.py, seed 1), " +
            $"each in a child process whose /proc status was sampled every {SampleInterval.TotalMilliseconds:F0} ms. Peak: VmHWM, the largest " +
            "resident set; anonymous and file-backed: the largest of each part of the resident set (file-backed includes pages of the " +
            "memory-mapped cache). An epoch: the training rows (81 % of the folder: 10 % test, 10 % of the rest validation).",
            "",
        };
        lines.AddRange(Header("Images", "Peak resident GB", "Peak anonymous GB", "Peak file-backed GB", "Epoch s", "Images/s", "Command s", "Test accuracy", "Load"));
        foreach (var (images, r) in runs)
        {
            lines.Add(Row($"{images:N0}", Gb(Number(r, "peakResidentBytes")), Gb(Number(r, "peakAnonymousBytes")), Gb(Number(r, "peakFileBackedBytes")),
                Number(r, "epochSeconds"), Number(r, "imagesPerSecond"), Number(r, "commandSeconds"), $"{Number(r, "testAccuracy"):P1}",
                $"{Number(r, "loadAtStart"):F1}-{Number(r, "loadAtEnd"):F1}"));
        }
        lines.Add("");
        lines.Add($"Peaks within {PeakSpread:P0} of each other: {spread:P1} ({(spread <= PeakSpread ? "met" : "missed")}); under {Gb(PeakLimitBytes)} GB: " +
            $"{Gb(peaks.Max())} GB ({(peaks.Max() < PeakLimitBytes ? "met" : "missed")}).");
        lines.Add("");
        lines.Add($"Data path alone (no network, child process, 1 libtorch thread): rows/s of loading (each file read and decoded once to " +
            "check it), of decoding the rows (LoadImages, ResizeImages, to CHW floats), and of the first pass (decoding and writing the cache), " +
            "by decode workers; then shuffled batches from the cache.");
        lines.Add("");
        lines.AddRange(Header("Images", "Workers", "Loading rows/s", "Decoding rows/s", "Decoding rows/s per worker", "First pass rows/s",
            "CPU ms/row: loading", "decoding", "first pass", "Load"));
        foreach (var (images, r) in runs)
        {
            foreach (var rate in r["dataPath"]!["rates"]!.AsArray())
            {
                double w = Number(rate!, "workers");
                double decode = Number(rate!, "decodeRowsPerSecond");
                lines.Add(Row($"{images:N0}", w, Number(rate!, "checkRowsPerSecond"), decode, decode / w, Number(rate!, "firstPassRowsPerSecond"),
                    Number(rate!, "checkCpuMsPerRow"), Number(rate!, "decodeCpuMsPerRow"), Number(rate!, "firstPassCpuMsPerRow"),
                    $"{Number(r["dataPath"]!, "loadAtStart"):F1}-{Number(r["dataPath"]!, "loadAtEnd"):F1}"));
            }
        }
        lines.Add("");
        lines.AddRange(Header("Images in the cache", "Rows read", "Epochs", "Cached rows/s", "Resident GB before", "after 1/10", "at end",
            "Anonymous GB before", "at end", "Peak resident GB (VmHWM)"));
        foreach (var (images, r) in runs)
        {
            var d = r["dataPath"]!;
            lines.Add(Row($"{images:N0}", (long)Number(d, "cachedRows"), Number(d, "epochs"), Number(d, "cachedRowsPerSecond"),
                Gb(Number(d["beforeCachedReads"]!, "resident")), Gb(Number(d["afterTenthOfReads"]!, "resident")), Gb(Number(d["atEnd"]!, "resident")),
                Gb(Number(d["beforeCachedReads"]!, "anonymous")), Gb(Number(d["atEnd"]!, "anonymous")), Gb(Number(d, "peakResidentBytesSampled"))));
        }
        if (runs[0].Result["pytorch"] is JsonArray pytorch)
        {
            lines.Add("");
            lines.Add($"PyTorch {PyTorchVersion(settings)}: torchvision ImageFolder (Resize({size}), ToTensor) through a DataLoader (batch " +
                $"{settings.BatchSize}, no shuffling), one pass over the {runs[0].Images:N0} images; 0 workers decodes in the main process.");
            lines.Add("");
            lines.AddRange(Header("DataLoader workers", "Images/s", "Images/s per worker", "Load"));
            foreach (var p in pytorch)
            {
                double w = Number(p!, "workers");
                lines.Add(Row(w, Number(p!, "imagesPerSecond"), Number(p!, "imagesPerSecond") / Math.Max(w, 1), $"{Number(p!, "load"):F1}"));
            }
        }
        report.Add("scale", "Scale", lines, new JsonArray([.. runs.Select(r => (JsonNode)r.Result)]));
    }

    private static string PyTorchVersion(BenchmarkSettings settings)
    {
        try
        {
            var start = new ProcessStartInfo(settings.Python!) { RedirectStandardOutput = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import torch, torchvision; print(torch.__version__, '/ torchvision', torchvision.__version__)");
            using var process = Process.Start(start)!;
            string version = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return version;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "";
        }
    }

    private static string Tail(string text) => text.Length <= 2000 ? text : text[^2000..];
}
