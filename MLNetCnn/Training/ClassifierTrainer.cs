using MLNetCnn.Data;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// Trains a <see cref="CnnModel"/> with shuffled mini-batches and cross-entropy, one dispose scope per step so
/// native memory stays flat: the optimizer, learning-rate schedule, early stopping, checkpoints and mixed
/// precision of <see cref="TrainingOptions"/>; a NaN or infinite loss stops with a <see cref="TrainingDivergedException"/>.
/// </summary>
public sealed class ClassifierTrainer
{
    private readonly TrainingOptions _options;

    /// <summary>Creates a trainer; the options are validated here.</summary>
    public ClassifierTrainer(TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
    }

    /// <summary>Raised after every epoch, on the training thread.</summary>
    public event Action<EpochReport>? EpochCompleted;

    /// <summary>Raised after every optimisation step, on the training thread; keep handlers quick.</summary>
    public event Action<StepReport>? StepCompleted;

    /// <summary>
    /// Raised once, after the epoch at which the training loss is first seen to diverge (<see cref="LossDivergence"/>); with early
    /// stopping on, training then stops with the best epoch's weights.
    /// </summary>
    public event Action<LossDivergence>? Diverging;

    /// <summary>Trains the model in place and returns the report of every epoch and how the run ended.</summary>
    /// <param name="model">The model to train; it is left in evaluation mode.</param>
    /// <param name="train">
    /// The training images: an in-memory <see cref="ImageDataset"/>, a memory-mapped <see cref="ImageRecordFile"/>, or a
    /// source that augments afresh each epoch. Their shape and class count must match the model's spec.
    /// </param>
    /// <param name="validation">Images scored after every epoch, or null.</param>
    /// <param name="cancellation">
    /// Stops training before the next step with an <see cref="OperationCanceledException"/>, or, with
    /// <see cref="TrainingOptions.ReturnBestModelOnCancel"/>, returns with the best weights so far. Checkpoints
    /// already written stay complete.
    /// </param>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public TrainingHistory Train(CnnModel model, IEpochData train, IEpochData? validation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        CheckFits(model, train, "training");
        if (validation is not null)
            CheckFits(model, validation, "validation");
        if (_options.EarlyStopping is { } stopping && stopping.Metric.NeedsValidation() && validation is null)
            throw new ArgumentException($"Early stopping watches {stopping.Metric}, which needs validation data; pass validation images or watch {TrainingMetric.TrainLoss}.", nameof(validation));

        using var session = new TrainingSession(this, _options, model, train, validation, cancellation);
        return session.Run();
    }

    /// <summary>Mean cross-entropy and accuracy of a model on a data set, in evaluation mode, a batch at a time.</summary>
    public (double Loss, double Accuracy) Evaluate(CnnModel model, IEpochData data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        CheckFits(model, data, "evaluation");
        if (data.Count == 0)
            return (double.NaN, double.NaN);
        model.Network.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long correct = 0;
        var rows = new long[_options.BatchSize];
        for (long start = 0; start < data.Count; start += _options.BatchSize)
        {
            using var scope = NewDisposeScope();
            int count = (int)Math.Min(_options.BatchSize, data.Count - start);
            for (int i = 0; i < count; i++)
                rows[i] = start + i;
            var (batch, labels) = data.ReadBatch(epoch: 0, rows.AsSpan(0, count));
            var target = labels.to(model.Device);
            var logits = model.Logits(batch);
            lossSum += nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(target).sum().item<long>();
        }
        return (lossSum / data.Count, (double)correct / data.Count);
    }

    internal void RaiseEpochCompleted(EpochReport report) => EpochCompleted?.Invoke(report);

    internal void RaiseStepCompleted(StepReport report) => StepCompleted?.Invoke(report);

    internal void RaiseDiverging(LossDivergence divergence) => Diverging?.Invoke(divergence);

    internal static void CheckFits(CnnModel model, IEpochData data, string role)
    {
        if (data.Shape != model.Spec.Input)
            throw new ArgumentException($"The {role} images are {data.Shape} but the model takes {model.Spec.Input}.");
        if (data.ClassCount != model.Spec.ClassCount)
            throw new ArgumentException($"The {role} data has {data.ClassCount} classes but the model has {model.Spec.ClassCount}.");
    }
}
