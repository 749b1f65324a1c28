using System.Diagnostics;
using Microsoft.ML;
using MLNetCnn.Benchmarks.Machine;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using TorchSharp;

namespace MLNetCnn.Benchmarks.Scale;

/// <summary>What <see cref="DataPathAtScale"/> measures on one image folder.</summary>
/// <param name="Folder">An image folder, one subfolder per class.</param>
/// <param name="ImageSize">The square size images are resized to.</param>
/// <param name="Workers">Decode worker counts: each loads the folder (every file checked), optionally decodes it alone, and writes the
/// cache.</param>
/// <param name="DecodeOnly">Also time decoding the rows without writing them.</param>
/// <param name="CachedRows">Rows read in shuffled batches from the last cache written, over as many epochs as that takes.</param>
/// <param name="BatchSize">Rows per batch.</param>
internal sealed record DataPathAtScaleRequest(string Folder, int ImageSize, int[] Workers, bool DecodeOnly, long CachedRows, int BatchSize);

/// <summary>Rows per second of each stage with <paramref name="Workers"/> decode workers, and the CPU time (user and system, all threads)
/// per row.</summary>
internal sealed record DecodeRates(int Workers, double CheckRowsPerSecond, double? DecodeRowsPerSecond, double FirstPassRowsPerSecond,
    double CheckCpuMsPerRow, double? DecodeCpuMsPerRow, double FirstPassCpuMsPerRow);

/// <summary>The results: rates per worker count, the cached reads, and this process's memory as the reads went on.</summary>
internal sealed record DataPathAtScaleResult(long Rows, DecodeRates[] Rates, long CachedRows, int Epochs, double CachedRowsPerSecond,
    ProcessMemory BeforeCachedReads, ProcessMemory AfterTenthOfReads, ProcessMemory AtEnd, ProcessMemory Largest);

/// <summary>
/// The data path alone, no network, on a folder of image files, in a process of its own (the benchmark's child): loading
/// the folder (each file is checked once), decoding, the first pass into the record file, and shuffled batches read from
/// that file epoch after epoch, with the process's memory sampled twenty times through the reads.
/// </summary>
internal static class DataPathAtScale
{
    /// <summary>The hidden command that runs a request in a child process.</summary>
    public const string Command = "scale-data-path";

    public static DataPathAtScaleResult Run(DataPathAtScaleRequest request)
    {
        torch.set_num_threads(1);
        string folder = TemporaryRecordFolder.Create();
        try
        {
            var rates = new List<DecodeRates>();
            ImageRecordFile? cache = null;
            long rows = 0;
            LabelledImages? data = null;
            foreach (int workers in request.Workers)
            {
                cache?.Dispose();
                var (check, checkCpu) = Timed(() => data = Load(request, workers));
                double? decode = null, decodeCpu = null;
                if (request.DecodeOnly)
                {
                    (double seconds, double cpu) = Timed(() =>
                    {
                        using var decoded = new DecodedRows(data!, workers);
                        while (decoded.MoveNext())
                        {
                        }
                    });
                    (decode, decodeCpu) = (seconds, cpu);
                }
                var (pass, passCpu) = Timed(() =>
                    cache = TrainingData.Write(data!, Path.Combine(folder, $"workers{workers}.records"), null, "scale benchmark", null, null, workers).Train);
                rows = cache!.Count;
                rates.Add(new DecodeRates(workers, rows / check, rows / decode, rows / pass, checkCpu * 1000 / rows, decodeCpu * 1000 / rows, passCpu * 1000 / rows));
            }
            using (cache)
                return ReadCached(request, cache!, rows, [.. rates]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (double Seconds, double CpuSeconds) Timed(Action action)
    {
        var usage = ResourceUsage.Now();
        var clock = Stopwatch.StartNew();
        action();
        var used = ResourceUsage.Now().Since(usage);
        return (clock.Elapsed.TotalSeconds, used.UserSeconds + used.SystemSeconds);
    }

    private static LabelledImages Load(DataPathAtScaleRequest request, int workers)
    {
        var mlContext = new MLContext(seed: 1);
        var view = mlContext.Data.LoadImageFolder(request.Folder,
            new ImageFileOptions { ImageWidth = request.ImageSize, ImageHeight = request.ImageSize, DecodeWorkers = workers });
        var keyed = mlContext.Transforms.Conversion.MapValueToKey(CnnColumnNames.Label).Fit(view).Transform(view);
        var label = keyed.Schema[CnnColumnNames.Label];
        int classes = (int)((Microsoft.ML.Data.KeyDataViewType)label.Type).Count;
        return new LabelledImages(keyed, label, ImageColumnBinding.Bind(keyed.Schema, CnnColumnNames.Image, new ImageShape(3, 0, 0)), classes);
    }

    private static DataPathAtScaleResult ReadCached(DataPathAtScaleRequest request, ImageRecordFile cache, long rows, DecodeRates[] rates)
    {
        var before = ProcessMemory.Read()!.Value;
        var samples = new List<ProcessMemory>();
        var batch = new long[request.BatchSize];
        long read = 0, nextSample = request.CachedRows / 20;
        int epoch = 0;
        var clock = Stopwatch.StartNew();
        while (read < request.CachedRows)
        {
            epoch++;
            var order = new ShuffledOrder(cache.Count, seed: 1, stream: epoch);
            for (long start = 0; start < cache.Count && read < request.CachedRows; start += request.BatchSize)
            {
                int size = (int)Math.Min(request.BatchSize, cache.Count - start);
                for (int i = 0; i < size; i++)
                    batch[i] = order[start + i];
                using (torch.NewDisposeScope())
                    cache.ReadBatch(epoch, batch.AsSpan(0, size));
                read += size;
                if (read >= nextSample)
                {
                    samples.Add(ProcessMemory.Read()!.Value);
                    nextSample += request.CachedRows / 20;
                }
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var end = ProcessMemory.Read()!.Value;
        return new DataPathAtScaleResult(rows, rates, read, epoch, read / seconds, before, samples[Math.Min(1, samples.Count - 1)], end,
            ProcessMemory.Max([before, .. samples, end]));
    }
}
