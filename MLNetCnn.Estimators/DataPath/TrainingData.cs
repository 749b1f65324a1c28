using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Runtime;
using MLNetCnn.Data;
using MLNetCnn.Training;

namespace MLNetCnn.Estimators;

/// <summary>Where the trainer's record files go and how the training rows are split.</summary>
/// <param name="CacheDirectory">A folder whose record files are kept and reused; null for a temporary folder deleted afterwards.</param>
/// <param name="ValidationFraction">The fraction of the training rows held out for validation; 0 for none.</param>
/// <param name="Seed">Seeds the hold-out.</param>
/// <param name="SkipUnreadable">Leave out (and count) rows whose image cannot be read, instead of stopping.</param>
/// <param name="DecodeWorkers">Threads that decode images in the first pass.</param>
internal sealed record DataPathSettings(string? CacheDirectory, double ValidationFraction, int Seed, bool SkipUnreadable, int DecodeWorkers);

/// <summary>
/// The trainer's data for one run, with bounded memory: the training rows in a record file (decoded once, read through a
/// memory map), with the operations of random training-only stages applied afresh each epoch as they are read; the
/// validation rows (held out while the file is written, or given) in another. Owns the files: a temporary folder is
/// deleted on <see cref="Dispose"/>, a cache directory is kept for the next run.
/// </summary>
internal sealed class TrainingData : IDisposable
{
    private readonly List<IDisposable> _owned = [];
    private readonly string? _temporaryFolder;

    private TrainingData(string? temporaryFolder) => _temporaryFolder = temporaryFolder;

    /// <summary>The training rows as the trainer reads them each epoch.</summary>
    public IEpochData Train { get; private set; } = null!;

    /// <summary>The validation rows, or null.</summary>
    public IEpochData? Validation { get; private set; }

    /// <summary>The per-channel statistics of the training images as the first epoch sees them.</summary>
    public InputNormalization Normalization { get; private set; } = null!;

    /// <summary>Reads (or finds cached) the training data and the validation data.</summary>
    public static TrainingData Prepare(LabelledImages train, LabelledImages? validation, DataPathSettings settings, IChannel channel)
    {
        string folder = settings.CacheDirectory is { } kept
            ? Directory.CreateDirectory(kept).FullName
            : TemporaryRecordFolder.Create();
        var data = new TrainingData(settings.CacheDirectory is null ? folder : null);
        try
        {
            data.Load(train, validation, settings, folder, channel);
            return data;
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>Closes the files and deletes a temporary folder.</summary>
    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
        _owned.Clear();
        if (_temporaryFolder is not null && Directory.Exists(_temporaryFolder))
            Directory.Delete(_temporaryFolder, recursive: true);
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private void Load(LabelledImages train, LabelledImages? validation, DataPathSettings settings, string folder, IChannel channel)
    {
        var split = RandomStages.Find(train);
        bool keep = settings.CacheDirectory is not null;
        bool holdout = settings.ValidationFraction > 0;
        var survey = keep || holdout ? DataViewRecords.Examine(split.Source, identify: keep) : null;
        string splitName = holdout ? string.Create(CultureInfo.InvariantCulture, $"holdout {settings.ValidationFraction:R} seed {settings.Seed}") : "all rows";
        string fingerprint = $"{survey?.Fingerprint ?? "temporary"}; {splitName}";
        string name = keep ? $"{survey!.Fingerprint[..24]}-{(holdout ? $"h{settings.ValidationFraction:R}s{settings.Seed}" : "all")}" : "train";
        string trainPath = Path.Combine(folder, $"{name}.records");
        string heldOutPath = Path.Combine(folder, $"{name}.holdout.records");
        if (split.Opaque)
        {
            channel.Info(MessageSensitivity.None, $"Column '{train.Image.Column.Name}' is drawn afresh every pass by random stages the trainer " +
                "cannot apply itself (another transform sits between them and the trainer): the data view is read again every epoch, " +
                "into a record file of that epoch, instead of being decoded once.");
        }
        ImageRecordFile trainFile, heldOutFile;
        var opened = keep && !split.Opaque ? TryOpen(trainPath, heldOutPath, fingerprint, holdout, channel) : null;
        if (opened is { } reused)
        {
            (trainFile, heldOutFile) = (Own(reused.Train), reused.HeldOut is null ? null! : Own(reused.HeldOut));
        }
        else
        {
            var clock = Stopwatch.StartNew();
            var skipped = new List<string>();
            // A view read again every epoch may draw at random per cursor: it is read on one cursor, as the user's pipeline would be.
            var (written, heldOut) = Write(split.Source, trainPath, holdout ? heldOutPath : null, fingerprint, HoldoutOf(survey, settings),
                settings.SkipUnreadable ? skipped.Add : null, split.Opaque ? 1 : settings.DecodeWorkers);
            if (skipped.Count > 0)
                channel.Warning(MessageSensitivity.None, $"Left out {skipped.Count} row(s) whose image could not be read; the first: {skipped[0]}");
            (trainFile, heldOutFile) = (Own(written), heldOut is null ? null! : Own(heldOut));
            double seconds = Math.Max(clock.Elapsed.TotalSeconds, 1e-9);
            long rows = trainFile.Count + (heldOut?.Count ?? 0);
            string where = keep ? "the cache" : "a temporary cache";
            channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                $"Read {rows} rows into {where} '{trainFile.Path}' ({trainFile.Storage}) in {seconds:F1} s ({rows / seconds:F0} rows/s)."));
        }
        CheckClasses(trainFile, train);
        if (split.Opaque)
        {
            Train = Own(new RereadEachEpochData(split.Source, trainFile, trainPath, fingerprint, survey is null ? null : () => HoldoutOf(survey, settings),
                settings.SkipUnreadable));
            Normalization = trainFile.Normalization;
        }
        else if (split.Operations.Count > 0)
        {
            var augmented = Own(new AugmentedEpochData(trainFile, split.Operations));
            Train = augmented;
            Normalization = InputNormalization.FromStatistics(augmented.Statistics(epoch: 1));
            channel.Info(MessageSensitivity.None, $"{split.Operations.Count} random image stage(s) are applied to the cached rows afresh every epoch.");
        }
        else
        {
            Train = trainFile;
            Normalization = trainFile.Normalization;
        }
        if (holdout && heldOutFile.Count > 0)
            Validation = split.Operations.Count > 0 ? Own(new AugmentedEpochData(heldOutFile, split.Operations)) : heldOutFile;
        else if (validation is not null)
            Validation = Own(Validated(validation, folder, keep, settings.DecodeWorkers, channel));
    }

    private static ImageRecordFile Validated(LabelledImages validation, string folder, bool keep, int decodeWorkers, IChannel channel)
    {
        string fingerprint = keep ? DataViewRecords.Examine(validation, identify: true).Fingerprint : "temporary";
        string path = Path.Combine(folder, keep ? $"{fingerprint[..24]}-validation.records" : "validation.records");
        if (keep)
        {
            if (ImageRecordFile.TryOpen(path, fingerprint, out string reason) is { } reused)
            {
                channel.Info(MessageSensitivity.None, $"Reusing the validation cache '{path}'.");
                return reused;
            }
            channel.Info(MessageSensitivity.None, $"Writing the validation cache '{path}': {reason}.");
        }
        return Write(validation, path, null, fingerprint, null, onUnreadable: null, decodeWorkers).Train;
    }

    private static (ImageRecordFile Train, ImageRecordFile? HeldOut)? TryOpen(string trainPath, string heldOutPath, string fingerprint, bool holdout,
        IChannel channel)
    {
        var train = ImageRecordFile.TryOpen(trainPath, fingerprint, out string reason);
        if (train is not null && holdout)
        {
            var heldOut = ImageRecordFile.TryOpen(heldOutPath, fingerprint, out reason);
            if (heldOut is not null)
            {
                channel.Info(MessageSensitivity.None, $"Reusing the cache '{trainPath}' and its held-out rows.");
                return (train, heldOut);
            }
            train.Dispose();
            train = null;
        }
        if (train is not null)
        {
            channel.Info(MessageSensitivity.None, $"Reusing the cache '{trainPath}'.");
            return (train, null);
        }
        channel.Info(MessageSensitivity.None, $"Writing the cache '{trainPath}': {reason}.");
        return null;
    }

    /// <summary>Writes the rows of <paramref name="data"/> in one pass; on any error no file is left behind.</summary>
    internal static (ImageRecordFile Train, ImageRecordFile? HeldOut) Write(LabelledImages data, string trainPath, string? heldOutPath,
        string fingerprint, StratifiedHoldout? holdout, Action<string>? onUnreadable, int decodeWorkers)
    {
        using var trainWriter = new ImageRecordWriter(trainPath, fingerprint, data.Image.Shape, data.ClassCount);
        using var heldOutWriter = heldOutPath is null ? null : new ImageRecordWriter(heldOutPath, fingerprint, data.Image.Shape, data.ClassCount);
        DataViewRecords.Write(data, trainWriter, heldOutWriter, holdout, onUnreadable, decodeWorkers);
        var train = trainWriter.Complete();
        try
        {
            return (train, heldOutWriter?.Complete());
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    private static StratifiedHoldout? HoldoutOf(DataViewRecords.Survey? survey, DataPathSettings settings) =>
        settings.ValidationFraction > 0 ? new StratifiedHoldout(survey!.ClassCounts, settings.ValidationFraction, settings.Seed) : null;

    private static void CheckClasses(ImageRecordFile file, LabelledImages train)
    {
        if (file.Count == 0)
            throw new ArgumentException("The training data has no rows.");
        if (file.ClassCounts.Count(c => c > 0) < 2)
            throw new ArgumentException($"The training data holds a single class (label column '{train.Label.Name}'); a classifier needs at least 2.");
    }
}
