using System.Text;

namespace MLNetCnn.Training;

/// <summary>
/// Everything needed to continue a training run exactly: where it stands, what it reported, its random states,
/// the model's weights, the optimizer's state, early stopping and the best weights so far. The learning-rate
/// schedule is a function of <see cref="GlobalStep"/> and is replayed.
/// </summary>
internal sealed class TrainingCheckpoint : IDisposable
{
    private const string Signature = "MLNetCnn.TrainingCheckpoint";
    // Format 2: the epoch order is a function of the seed and the epoch (ShuffledOrder), so no shuffling state is stored.
    private const int FormatVersion = 3;

    /// <summary>The settings a resumed run must share with this one (name to value).</summary>
    public required IReadOnlyDictionary<string, string> Run { get; init; }

    /// <summary>The epoch under way or next to start, from 1.</summary>
    public required int Epoch { get; init; }

    /// <summary>Steps already taken in <see cref="Epoch"/>.</summary>
    public required int StepInEpoch { get; init; }

    /// <summary>Steps taken in the whole run.</summary>
    public required int GlobalStep { get; init; }

    /// <summary>The running sums of <see cref="Epoch"/> so far.</summary>
    public required EpochTally Tally { get; init; }

    /// <summary>Training time before this checkpoint.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The reports of the completed epochs.</summary>
    public required IReadOnlyList<EpochReport> History { get; init; }

    /// <summary>TorchSharp's default generator (dropout and other random layers).</summary>
    public required byte[] GlobalRandomState { get; init; }

    /// <summary>Early stopping's best epoch, best value and epochs without improvement, when it is on.</summary>
    public required (int BestEpoch, double BestValue, int EpochsWithoutImprovement)? EarlyStopping { get; init; }

    /// <summary>The loss scale and its growth counter of float16 training.</summary>
    public required (double Scale, int StepsWithoutOverflow)? LossScale { get; init; }

    /// <summary>The model's weights.</summary>
    public required WeightSnapshot Weights { get; init; }

    /// <summary>The weights to give back at the end (the best epoch's), when kept.</summary>
    public required WeightSnapshot? BestWeights { get; init; }

    /// <summary>The epoch <see cref="BestWeights"/> come from.</summary>
    public required int BestWeightsEpoch { get; init; }

    /// <summary>The moving average of the weights (<see cref="TrainingOptions.EmaDecay"/>), if the run keeps one.</summary>
    public WeightSnapshot? AveragedWeights { get; init; }

    /// <summary>The updates <see cref="AveragedWeights"/> has taken.</summary>
    public long AverageUpdates { get; init; }

    /// <summary>The optimizer's state in TorchSharp's format.</summary>
    public required byte[] OptimizerState { get; init; }

    public void Write(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Signature);
        writer.Write(FormatVersion);
        writer.Write(Run.Count);
        foreach (var (name, value) in Run)
        {
            writer.Write(name);
            writer.Write(value);
        }
        writer.Write(Epoch);
        writer.Write(StepInEpoch);
        writer.Write(GlobalStep);
        Tally.Write(writer);
        writer.Write(Elapsed.Ticks);
        writer.Write(History.Count);
        foreach (var report in History)
            WriteReport(writer, report);
        WriteBytes(writer, GlobalRandomState);
        writer.Write(EarlyStopping.HasValue);
        if (EarlyStopping is var (bestEpoch, bestValue, without))
        {
            writer.Write(bestEpoch);
            writer.Write(bestValue);
            writer.Write(without);
        }
        writer.Write(LossScale.HasValue);
        if (LossScale is var (scale, steps))
        {
            writer.Write(scale);
            writer.Write(steps);
        }
        Weights.Save(writer);
        writer.Write(BestWeights is not null);
        if (BestWeights is not null)
        {
            writer.Write(BestWeightsEpoch);
            BestWeights.Save(writer);
        }
        writer.Write(AveragedWeights is not null);
        if (AveragedWeights is not null)
        {
            writer.Write(AverageUpdates);
            AveragedWeights.Save(writer);
        }
        WriteBytes(writer, OptimizerState);
    }

    /// <summary>Reads a checkpoint written by <see cref="Write"/>.</summary>
    /// <exception cref="InvalidDataException">The stream is not a checkpoint of this format, or is truncated.</exception>
    public static TrainingCheckpoint Read(Stream stream, string source)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        WeightSnapshot? weights = null, best = null, averaged = null;
        try
        {
            if (reader.ReadString() != Signature)
                throw new InvalidDataException($"{source} is not an MLNetCnn training checkpoint.");
            int version = reader.ReadInt32();
            if (version != FormatVersion)
                throw new InvalidDataException($"{source} has checkpoint format {version}; this library reads format {FormatVersion}.");
            var run = new Dictionary<string, string>();
            int runCount = ReadCount(reader, 1000, source);
            for (int i = 0; i < runCount; i++)
                run[reader.ReadString()] = reader.ReadString();
            int epoch = reader.ReadInt32(), stepInEpoch = reader.ReadInt32(), globalStep = reader.ReadInt32();
            var tally = EpochTally.Read(reader);
            var elapsed = TimeSpan.FromTicks(reader.ReadInt64());
            var history = new EpochReport[ReadCount(reader, 1_000_000, source)];
            for (int i = 0; i < history.Length; i++)
                history[i] = ReadReport(reader);
            var globalState = ReadBytes(reader, source);
            (int, double, int)? earlyStopping = reader.ReadBoolean() ? (reader.ReadInt32(), reader.ReadDouble(), reader.ReadInt32()) : null;
            (double, int)? lossScale = reader.ReadBoolean() ? (reader.ReadDouble(), reader.ReadInt32()) : null;
            weights = WeightSnapshot.Load(reader);
            int bestEpoch = 0;
            if (reader.ReadBoolean())
            {
                bestEpoch = reader.ReadInt32();
                best = WeightSnapshot.Load(reader);
            }
            long averageUpdates = 0;
            if (reader.ReadBoolean())
            {
                averageUpdates = reader.ReadInt64();
                averaged = WeightSnapshot.Load(reader);
            }
            var optimizerState = ReadBytes(reader, source);
            return new TrainingCheckpoint
            {
                Run = run, Epoch = epoch, StepInEpoch = stepInEpoch, GlobalStep = globalStep, Tally = tally, Elapsed = elapsed,
                History = history, GlobalRandomState = globalState, EarlyStopping = earlyStopping,
                LossScale = lossScale, Weights = weights, BestWeights = best, BestWeightsEpoch = bestEpoch, OptimizerState = optimizerState,
                AveragedWeights = averaged, AverageUpdates = averageUpdates,
            };
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or FormatException)
        {
            weights?.Dispose();
            best?.Dispose();
            averaged?.Dispose();
            throw new InvalidDataException($"{source} is truncated or damaged: {e.Message}", e);
        }
        catch
        {
            weights?.Dispose();
            best?.Dispose();
            averaged?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Weights.Dispose();
        BestWeights?.Dispose();
        AveragedWeights?.Dispose();
    }

    private static void WriteReport(BinaryWriter writer, EpochReport report)
    {
        writer.Write(report.Epoch);
        writer.Write(report.EpochCount);
        writer.Write(report.TrainLoss);
        writer.Write(report.TrainAccuracy);
        writer.Write(report.ValidationLoss ?? double.NaN);
        writer.Write(report.ValidationAccuracy ?? double.NaN);
        writer.Write(report.ValidationLoss.HasValue);
        writer.Write(report.LearningRate);
        writer.Write(report.ImagesPerSecond);
        writer.Write(report.Elapsed.Ticks);
    }

    private static EpochReport ReadReport(BinaryReader reader)
    {
        int epoch = reader.ReadInt32(), epochCount = reader.ReadInt32();
        double trainLoss = reader.ReadDouble(), trainAccuracy = reader.ReadDouble();
        double validationLoss = reader.ReadDouble(), validationAccuracy = reader.ReadDouble();
        bool validated = reader.ReadBoolean();
        return new EpochReport(epoch, epochCount, trainLoss, trainAccuracy,
            validated ? validationLoss : null, validated ? validationAccuracy : null,
            reader.ReadDouble(), reader.ReadDouble(), TimeSpan.FromTicks(reader.ReadInt64()));
    }

    private static void WriteBytes(BinaryWriter writer, byte[] bytes)
    {
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    private static byte[] ReadBytes(BinaryReader reader, string source)
    {
        int length = ReadCount(reader, int.MaxValue, source);
        var bytes = reader.ReadBytes(length);
        if (bytes.Length != length)
            throw new EndOfStreamException();
        return bytes;
    }

    private static int ReadCount(BinaryReader reader, int max, string source)
    {
        int count = reader.ReadInt32();
        if (count < 0 || count > max)
            throw new InvalidDataException($"{source} declares {count} entries where at most {max} are possible; it is damaged.");
        return count;
    }
}
