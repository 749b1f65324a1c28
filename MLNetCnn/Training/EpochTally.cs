namespace MLNetCnn.Training;

/// <summary>The running sums of an epoch's training batches.</summary>
internal sealed class EpochTally
{
    public double LossSum { get; private set; }

    public long Correct { get; private set; }

    public long Seen { get; private set; }

    /// <summary>Time spent on the epoch's steps.</summary>
    public TimeSpan Duration { get; set; }

    public double MeanLoss => LossSum / Seen;

    public double Accuracy => (double)Correct / Seen;

    public void Add(double batchMeanLoss, long correct, long count)
    {
        LossSum += batchMeanLoss * count;
        Correct += correct;
        Seen += count;
    }

    public void Write(BinaryWriter writer)
    {
        writer.Write(LossSum);
        writer.Write(Correct);
        writer.Write(Seen);
        writer.Write(Duration.Ticks);
    }

    public static EpochTally Read(BinaryReader reader) => new()
    {
        LossSum = reader.ReadDouble(),
        Correct = reader.ReadInt64(),
        Seen = reader.ReadInt64(),
        Duration = TimeSpan.FromTicks(reader.ReadInt64()),
    };
}
