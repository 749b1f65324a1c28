using MLNetCnn.Architectures;
using MLNetCnn.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// One optimisation step on a batch: any MixUp or CutMix, forward pass, cross-entropy (with label smoothing, class and example
/// weights, and any auxiliary losses),
/// a check that the loss is finite, backward pass, gradient clipping and the optimizer's update, in float32 or
/// mixed precision. The caller owns the dispose scope the step runs in.
/// </summary>
internal sealed class TrainingStep : IDisposable
{
    private readonly CnnModel _model;
    private readonly optim.Optimizer _optimizer;
    private readonly TrainingOptions _options;
    private readonly Parameter[] _parameters;
    private readonly bool _nonBlockingCopies;
    private readonly BatchMixing? _mixing;
    private readonly Tensor? _classWeights;
    private readonly bool _channelsLast;

    /// <param name="model">The model whose weights the optimizer updates.</param>
    /// <param name="optimizer">An optimizer over the model's parameters.</param>
    /// <param name="options">Label smoothing and clipping.</param>
    /// <param name="mixedPrecision">The 16-bit network of mixed-precision training, which the step then owns; null for float32.</param>
    /// <param name="nonBlockingCopies">Batches come in pinned memory and can be copied to the device asynchronously.</param>
    /// <param name="classWeights">The weight of each class in the loss (<see cref="ClassWeights.Resolve"/>); null for none.</param>
    /// <param name="channelsLast">Lay each batch out channels-last, for a network whose weights are (<see cref="TensorLayouts"/>).</param>
    public TrainingStep(CnnModel model, optim.Optimizer optimizer, TrainingOptions options, MixedPrecisionNetwork? mixedPrecision, bool nonBlockingCopies,
        double[]? classWeights = null, bool channelsLast = false)
    {
        _channelsLast = channelsLast;
        if (classWeights is not null && classWeights.Length != model.Spec.ClassCount)
            throw new ArgumentException($"{classWeights.Length} class weights for a model of {model.Spec.ClassCount} classes.", nameof(classWeights));
        _classWeights = classWeights is null ? null : tensor(classWeights, ScalarType.Float32).to(model.Device).DetachFromDisposeScope();
        _model = model;
        _optimizer = optimizer;
        _options = options;
        _parameters = [.. model.Network.parameters()];
        _nonBlockingCopies = nonBlockingCopies;
        _mixing = BatchMixing.For(options);
        MixedPrecision = mixedPrecision;
    }

    /// <summary>The 16-bit network of mixed-precision training, or null in float32.</summary>
    public MixedPrecisionNetwork? MixedPrecision { get; }

    /// <summary>The mixed-precision network the options ask for on <paramref name="model"/>'s device: CUDA only, null elsewhere.</summary>
    public static MixedPrecisionNetwork? MixedPrecisionFor(CnnModel model, TrainingOptions options) =>
        options.MixedPrecision != Training.MixedPrecision.None && model.Device.type == DeviceType.CUDA
            ? new MixedPrecisionNetwork(model, options.MixedPrecision)
            : null;

    /// <summary>The learning rate the next update uses.</summary>
    public double LearningRate => _optimizer.ParamGroups.First().LearningRate;

    /// <summary>Trains on one batch; returns the batch's mean loss and the number of images classified correctly.</summary>
    /// <exception cref="TrainingDivergedException">The loss is NaN or infinite; the weights are left unchanged.</exception>
    public (double Loss, long Correct) Run(Tensor images, Tensor labels, int epoch, int step) => Run(images, labels, null, epoch, step);

    /// <summary>
    /// Trains on one batch whose images weigh <paramref name="exampleWeights"/> (null: all alike); returns the batch's
    /// (weighted) mean loss and the number of images classified correctly.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss is NaN or infinite; the weights are left unchanged.</exception>
    public (double Loss, long Correct) Run(Tensor images, Tensor labels, Tensor? exampleWeights, int epoch, int step)
    {
        var target = labels.to(_model.Device, non_blocking: _nonBlockingCopies);
        var example = exampleWeights?.to(_model.Device, non_blocking: _nonBlockingCopies);
        Tensor Criterion(Tensor logits, Tensor targets) => Loss(logits, targets, example);
        var input = _model.Normalization.Apply(images.to(_model.Device, non_blocking: _nonBlockingCopies));
        var mixed = _mixing?.Mix(input, target);
        if (mixed is { } batch)
            input = batch.Input;
        if (_channelsLast)
            input = TensorLayouts.ToChannelsLast(input);
        var logits = MixedPrecision is null ? _model.Network.forward(input) : MixedPrecision.Forward(input);
        var network = MixedPrecision?.Network ?? _model.Network;
        Tensor MixedCriterion(Tensor output, Tensor labels) => mixed is { } m
            ? BatchMixing.Blend(Criterion(output, labels), Criterion(output, m.PartnerTarget), m.Lambda)
            : Criterion(output, labels);
        var loss = MixedCriterion(logits, target);
        if (network is IAuxiliaryLoss auxiliary && auxiliary.AuxiliaryLoss(target, MixedCriterion) is { } extra)
            loss = loss.add(extra, Scalars.One);
        float value = loss.item<float>();
        if (!float.IsFinite(value))
            throw new TrainingDivergedException(epoch, step, LearningRate, value);

        _optimizer.zero_grad();
        bool finite = true;
        if (MixedPrecision is null)
        {
            loss.backward();
        }
        else
        {
            MixedPrecision.Backward(loss);
            finite = MixedPrecision.MoveGradientsToMaster();
        }
        if (finite)
        {
            if (_options.GradientClipNorm > 0)
                nn.utils.clip_grad_norm_(_parameters, _options.GradientClipNorm);
            _optimizer.step();
        }
        MixedPrecision?.AfterStep(finite);
        _model.WeightsChanged();
        // A mixed image counts as its larger share's class.
        var counted = mixed is { Lambda: < 0.5 } partner ? partner.PartnerTarget : target;
        long correct = logits.argmax(1).eq(counted).sum().item<long>();
        return (value, correct);
    }

    /// <summary>Frees the 16-bit network and the class weights.</summary>
    public void Dispose()
    {
        MixedPrecision?.Dispose();
        _classWeights?.Dispose();
    }

    /// <summary>
    /// The mean cross-entropy; with class or example weights, the weighted mean <c>sum(w l) / sum(w)</c> where an image
    /// weighs its class's weight times its example weight.
    /// </summary>
    private Tensor Loss(Tensor logits, Tensor target, Tensor? exampleWeights)
    {
        var scores = logits.dtype == ScalarType.Float32 ? logits : logits.to(ScalarType.Float32);
        var weights = _classWeights?.index_select(0, target);
        if (exampleWeights is not null)
            weights = weights is null ? exampleWeights : weights * exampleWeights;
        if (weights is null)
            return nn.functional.cross_entropy(scores, target, label_smoothing: _options.LabelSmoothing);
        var each = nn.functional.cross_entropy(scores, target, reduction: nn.Reduction.None, label_smoothing: _options.LabelSmoothing);
        // A batch whose images all weigh 0 contributes nothing (rather than 0/0).
        return (each * weights).sum() / weights.sum().clamp_min(Scalars.SmallestDenominator);
    }
}
