namespace MLNetCnn.Training;

/// <summary>What one epoch of training achieved.</summary>
/// <param name="Epoch">The epoch just finished, from 1.</param>
/// <param name="EpochCount">The epochs in the run.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's training batches.</param>
/// <param name="TrainAccuracy">Fraction of training images classified correctly during the epoch.</param>
/// <param name="ValidationLoss">Mean cross-entropy on the validation set, when there is one.</param>
/// <param name="ValidationAccuracy">Accuracy on the validation set, when there is one.</param>
/// <param name="LearningRate">The learning rate of the epoch's last step (schedules change it every step).</param>
/// <param name="ImagesPerSecond">Training throughput of the epoch (validation excluded).</param>
/// <param name="Elapsed">Time since training started.</param>
public sealed record EpochReport(
    int Epoch,
    int EpochCount,
    double TrainLoss,
    double TrainAccuracy,
    double? ValidationLoss,
    double? ValidationAccuracy,
    double LearningRate,
    double ImagesPerSecond,
    TimeSpan Elapsed)
{
    /// <summary>One line for logs and consoles.</summary>
    public override string ToString()
    {
        string validation = ValidationLoss is { } loss && ValidationAccuracy is { } accuracy
            ? $", validation loss {loss:F4}, validation accuracy {accuracy:P2}"
            : "";
        return $"Epoch {Epoch}/{EpochCount}: loss {TrainLoss:F4}, accuracy {TrainAccuracy:P2}{validation}, " +
               $"lr {LearningRate:G3}, {ImagesPerSecond:F0} images/s, {Elapsed.TotalSeconds:F1} s";
    }
}
