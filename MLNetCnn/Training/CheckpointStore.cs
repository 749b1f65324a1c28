using MLNetCnn.IO;

namespace MLNetCnn.Training;

/// <summary>The checkpoint file of a run in a folder, replaced atomically at every save.</summary>
internal sealed class CheckpointStore(string folder)
{
    /// <summary>The name of the checkpoint file in its folder.</summary>
    public const string FileName = "checkpoint.bin";

    public string FilePath { get; } = Path.Combine(Path.GetFullPath(folder), FileName);

    public bool Exists => File.Exists(FilePath);

    public void Save(TrainingCheckpoint checkpoint) => AtomicFile.Write(FilePath, checkpoint.Write);

    /// <exception cref="InvalidDataException">The file is not a checkpoint, or is damaged.</exception>
    public TrainingCheckpoint Read()
    {
        using var stream = File.OpenRead(FilePath);
        return TrainingCheckpoint.Read(stream, FilePath);
    }

    /// <summary>Throws when <paramref name="checkpoint"/> was written by a run whose settings differ from <paramref name="run"/>.</summary>
    public void EnsureSameRun(TrainingCheckpoint checkpoint, IReadOnlyDictionary<string, string> run)
    {
        var differences = run
            .Select(setting => (setting.Key, Here: setting.Value, There: checkpoint.Run.GetValueOrDefault(setting.Key, "(none)")))
            .Where(setting => setting.Here != setting.There)
            .Select(setting => $"{setting.Key} {setting.There} there, {setting.Here} here")
            .ToList();
        if (differences.Count > 0)
        {
            throw new InvalidDataException($"The checkpoint {FilePath} belongs to a run with other settings ({string.Join("; ", differences)}). " +
                "Resume with the same data and options, or use another checkpoint folder.");
        }
    }
}
