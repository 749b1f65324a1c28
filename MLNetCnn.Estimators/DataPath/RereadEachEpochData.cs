using MLNetCnn.Data;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Estimators;

/// <summary>
/// Training rows whose every pass through the data view differs in a way the trainer cannot reproduce (random stages
/// behind a transform it does not know): each epoch reads the view once more into a record file of its own, replacing
/// the last epoch's, and is shuffled from there. Memory stays bounded; the cost is a pass and a file write per epoch.
/// </summary>
internal sealed class RereadEachEpochData : IEpochData, IDisposable
{
    private readonly LabelledImages _data;
    private readonly ImageRecordFile _firstEpoch;
    private readonly string _path;
    private readonly string _fingerprint;
    private readonly Func<StratifiedHoldout?>? _holdout;
    private readonly bool _skipUnreadable;
    private ImageRecordFile _file;
    private int _epoch = 1;

    /// <param name="data">The data view.</param>
    /// <param name="firstEpoch">The first epoch's rows, owned by the caller.</param>
    /// <param name="path">The first epoch's file; later epochs are written beside it.</param>
    /// <param name="fingerprint">Names the source in the files' headers.</param>
    /// <param name="holdout">Makes the hold-out afresh for each pass, so the same rows are left out of training; null for none.</param>
    /// <param name="skipUnreadable">Leave out rows whose image cannot be read, as the first pass did.</param>
    public RereadEachEpochData(LabelledImages data, ImageRecordFile firstEpoch, string path, string fingerprint, Func<StratifiedHoldout?>? holdout,
        bool skipUnreadable)
    {
        (_data, _firstEpoch, _path, _fingerprint, _holdout, _skipUnreadable) = (data, firstEpoch, path, fingerprint, holdout, skipUnreadable);
        _file = firstEpoch;
    }

    public ImageShape Shape => _firstEpoch.Shape;

    public int ClassCount => _firstEpoch.ClassCount;

    public long Count => _firstEpoch.Count;

    public int Label(long row) => _firstEpoch.Label(row);

    public long[] CountClasses() => [.. _firstEpoch.ClassCounts];

    public (Tensor Images, Tensor Labels) ReadBatch(int epoch, ReadOnlySpan<long> rows)
    {
        if (epoch != _epoch && epoch > 0)
        {
            if (!ReferenceEquals(_file, _firstEpoch))
                _file.Dispose();
            _file = _firstEpoch;
            var (file, _) = TrainingData.Write(_data, $"{_path}.epoch", null, _fingerprint, _holdout?.Invoke(),
                _skipUnreadable ? _ => { } : null, decodeWorkers: 1);
            if (file.Count != Count)
            {
                file.Dispose();
                throw new InvalidOperationException($"The training data yielded {file.Count} rows in epoch {epoch} but {Count} in epoch 1; " +
                    "a CNN trainer reads its input once per epoch and needs the same rows each time.");
            }
            (_file, _epoch) = (file, epoch);
        }
        return _file.ReadBatch(epoch, rows);
    }

    public void Dispose()
    {
        if (!ReferenceEquals(_file, _firstEpoch))
            _file.Dispose();
        File.Delete($"{_path}.epoch");
    }
}
