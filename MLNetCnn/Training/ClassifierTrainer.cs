using System.Diagnostics;
using MLNetCnn.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// Trains a <see cref="CnnModel"/> with shuffled mini-batches and cross-entropy, one dispose scope per
/// step so native memory stays flat, and reports each epoch.
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

    /// <summary>Trains the model in place and returns the report of every epoch.</summary>
    /// <param name="model">The model to train; it is left in evaluation mode.</param>
    /// <param name="train">
    /// The training images: an <see cref="ImageDataset"/>, or a source that gives fresh (augmented) images each
    /// epoch. Their shape and class count must match the model's spec.
    /// </param>
    /// <param name="validation">Images scored after every epoch, or null.</param>
    /// <param name="cancellation">Stops training between steps with an <see cref="OperationCanceledException"/>.</param>
    public IReadOnlyList<EpochReport> Train(CnnModel model, IEpochData train, ImageDataset? validation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        CheckFits(model, train, "training");
        if (validation is not null)
            CheckFits(model, validation, "validation");

        using var optimizer = CreateOptimizer(model.Network);
        using var shuffling = new Generator((ulong)_options.Seed);
        var reports = new List<EpochReport>(_options.Epochs);
        var clock = Stopwatch.StartNew();
        EpochTensors? fixedTensors = train.IsFixed ? EpochTensors.From(train.ForEpoch(1)) : null;
        try
        {
            for (int epoch = 1; epoch <= _options.Epochs; epoch++)
            {
                var epochClock = Stopwatch.StartNew();
                var tensors = fixedTensors ?? EpochTensors.From(train.ForEpoch(epoch));
                model.Network.train();
                double loss, accuracy;
                int seen;
                try
                {
                    (loss, accuracy, seen) = RunEpoch(epoch, model, optimizer, tensors.Images, tensors.Labels, shuffling, cancellation);
                }
                finally
                {
                    if (fixedTensors is null)
                        tensors.Dispose();
                }
                double imagesPerSecond = seen / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
                model.Network.eval();
                (double Loss, double Accuracy)? validated = validation is null ? null : Evaluate(model, validation);
                var report = new EpochReport(epoch, _options.Epochs, loss, accuracy, validated?.Loss, validated?.Accuracy,
                    _options.LearningRate, imagesPerSecond, clock.Elapsed);
                reports.Add(report);
                EpochCompleted?.Invoke(report);
            }
        }
        finally
        {
            fixedTensors?.Dispose();
        }
        return reports;
    }

    /// <summary>Mean cross-entropy and accuracy of a model on a data set, in evaluation mode.</summary>
    public (double Loss, double Accuracy) Evaluate(CnnModel model, ImageDataset data)
    {
        CheckFits(model, data, "evaluation");
        if (data.Count == 0)
            return (double.NaN, double.NaN);
        model.Network.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < data.Count; start += _options.BatchSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(_options.BatchSize, data.Count - start);
            var shape = data.Shape;
            var batch = tensor(data.Pixels.AsSpan(start * shape.Size, count * shape.Size).ToArray(), [count, shape.Channels, shape.Height, shape.Width]);
            var target = tensor(data.Labels.AsSpan(start, count).ToArray().Select(l => (long)l).ToArray(), device: model.Device);
            var logits = model.Logits(batch);
            lossSum += nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(target).sum().item<long>();
        }
        return (lossSum / data.Count, (double)correct / data.Count);
    }

    /// <summary>One epoch's images and labels as tensors, ready for index_select by the shuffled order.</summary>
    private sealed class EpochTensors(Tensor images, Tensor labels) : IDisposable
    {
        public Tensor Images { get; } = images;

        public Tensor Labels { get; } = labels;

        public static EpochTensors From(ImageDataset data)
        {
            if (data.Count == 0)
                throw new ArgumentException("The training data holds no images.");
            return new EpochTensors(
                tensor(data.Pixels, [data.Count, data.Shape.Channels, data.Shape.Height, data.Shape.Width]),
                tensor(Array.ConvertAll(data.Labels, l => (long)l)));
        }

        public void Dispose()
        {
            Images.Dispose();
            Labels.Dispose();
        }
    }

    private (double Loss, double Accuracy, int Seen) RunEpoch(int epoch, CnnModel model, optim.Optimizer optimizer, Tensor images, Tensor labels,
        Generator shuffling, CancellationToken cancellation)
    {
        long n = images.shape[0];
        using var order = randperm(n, generator: shuffling);
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        int step = 0;
        int stepCount = (int)((n + _options.BatchSize - 1) / _options.BatchSize) - (n > 1 && n % _options.BatchSize == 1 ? 1 : 0);
        for (long start = 0; start < n; start += _options.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            long count = Math.Min(_options.BatchSize, n - start);
            // A lone trailing image would break batch normalisation's batch statistics.
            if (count == 1 && n > 1)
                break;
            using var scope = NewDisposeScope();
            var indices = order.narrow(0, start, count);
            var target = labels.index_select(0, indices).to(model.Device);
            var logits = model.Logits(images.index_select(0, indices));
            var loss = TrainingLoss(model.Network, logits, target);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<float>() * count;
            correct += logits.argmax(1).eq(target).sum().item<long>();
            seen += (int)count;
            StepCompleted?.Invoke(new StepReport(epoch, ++step, stepCount, seen, lossSum / seen, (double)correct / seen));
        }
        return (lossSum / seen, (double)correct / seen, seen);
    }

    private static Tensor TrainingLoss(nn.Module network, Tensor logits, Tensor target)
    {
        static Tensor Criterion(Tensor output, Tensor expected) => nn.functional.cross_entropy(output, expected);
        var loss = Criterion(logits, target);
        return network is IAuxiliaryLoss auxiliary && auxiliary.AuxiliaryLoss(target, Criterion) is { } extra ? loss + extra : loss;
    }

    private optim.Optimizer CreateOptimizer(nn.Module network) => _options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(network.parameters(), _options.LearningRate, weight_decay: _options.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(network.parameters(), _options.LearningRate, _options.Momentum, weight_decay: _options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(_options.Optimizer), _options.Optimizer, null),
    };

    private static void CheckFits(CnnModel model, IEpochData data, string role)
    {
        if (data.Shape != model.Spec.Input)
            throw new ArgumentException($"The {role} images are {data.Shape} but the model takes {model.Spec.Input}.");
        if (data.ClassCount != model.Spec.ClassCount)
            throw new ArgumentException($"The {role} data has {data.ClassCount} classes but the model has {model.Spec.ClassCount}.");
    }
}
