using MLNetCnn.Data;
using MLNetCnn.Training;

namespace MLNetCnn.Estimators;

/// <summary>
/// Training images read anew from the data view every epoch, for inputs produced by random (training-only)
/// augmentation stages, whose every pass draws afresh. The rows kept are the same each epoch.
/// </summary>
internal sealed class DataViewEpochData(ImageDataset firstPass, Func<ImageDataset> readPass, IReadOnlyList<int> rows) : IEpochData
{
    public ImageShape Shape => firstPass.Shape;

    public int ClassCount => firstPass.ClassCount;

    public bool IsFixed => false;

    public ImageDataset ForEpoch(int epoch)
    {
        var pass = epoch == 1 ? firstPass : readPass();
        if (pass.Count != firstPass.Count)
            throw new InvalidOperationException($"The training data yielded {pass.Count} rows in epoch {epoch} but {firstPass.Count} in epoch 1; a CNN trainer reads its input once per epoch and needs the same rows each time.");
        return pass.Select(rows);
    }
}
