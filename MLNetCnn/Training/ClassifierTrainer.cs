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

    /// <summary>Trains the model in place and returns the report of every epoch.</summary>
    /// <param name="model">The model to train; it is left in evaluation mode.</param>
    /// <param name="train">The training images; their shape and class count must match the model's spec.</param>
    /// <param name="validation">Images scored after every epoch, or null.</param>
    /// <param name="cancellation">Stops training between steps with an <see cref="OperationCanceledException"/>.</param>
    public IReadOnlyList<EpochReport> Train(CnnModel model, ImageDataset train, ImageDataset? validation = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        CheckFits(model, train, "training");
        if (validation is not null)
            CheckFits(model, validation, "validation");
        if (train.Count == 0)
            throw new ArgumentException("The training data holds no images.", nameof(train));

        using var images = ToTensor(train);
        using var labels = tensor(Array.ConvertAll(train.Labels, l => (long)l));
        using var optimizer = CreateOptimizer(model.Network);
        using var shuffling = new Generator((ulong)_options.Seed);
        var reports = new List<EpochReport>(_options.Epochs);
        var clock = Stopwatch.StartNew();

        for (int epoch = 1; epoch <= _options.Epochs; epoch++)
        {
            var epochClock = Stopwatch.StartNew();
            model.Network.train();
            var (loss, accuracy, seen) = RunEpoch(model, optimizer, images, labels, shuffling, cancellation);
            double imagesPerSecond = seen / Math.Max(epochClock.Elapsed.TotalSeconds, 1e-9);
            model.Network.eval();
            (double Loss, double Accuracy)? validated = validation is null ? null : Evaluate(model, validation);
            var report = new EpochReport(epoch, _options.Epochs, loss, accuracy, validated?.Loss, validated?.Accuracy,
                _options.LearningRate, imagesPerSecond, clock.Elapsed);
            reports.Add(report);
            EpochCompleted?.Invoke(report);
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

    private (double Loss, double Accuracy, int Seen) RunEpoch(CnnModel model, optim.Optimizer optimizer, Tensor images, Tensor labels,
        Generator shuffling, CancellationToken cancellation)
    {
        long n = images.shape[0];
        using var order = randperm(n, generator: shuffling);
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
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
            var loss = nn.functional.cross_entropy(logits, target);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            lossSum += loss.item<float>() * count;
            correct += logits.argmax(1).eq(target).sum().item<long>();
            seen += (int)count;
        }
        return (lossSum / seen, (double)correct / seen, seen);
    }

    private optim.Optimizer CreateOptimizer(nn.Module network) => _options.Optimizer switch
    {
        OptimizerKind.Adam => optim.Adam(network.parameters(), _options.LearningRate, weight_decay: _options.WeightDecay),
        OptimizerKind.Sgd => optim.SGD(network.parameters(), _options.LearningRate, _options.Momentum, weight_decay: _options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(_options.Optimizer), _options.Optimizer, null),
    };

    private static Tensor ToTensor(ImageDataset data) =>
        tensor(data.Pixels, [data.Count, data.Shape.Channels, data.Shape.Height, data.Shape.Width]);

    private static void CheckFits(CnnModel model, ImageDataset data, string role)
    {
        if (data.Shape != model.Spec.Input)
            throw new ArgumentException($"The {role} images are {data.Shape} but the model takes {model.Spec.Input}.");
        if (data.ClassCount != model.Spec.ClassCount)
            throw new ArgumentException($"The {role} data has {data.ClassCount} classes but the model has {model.Spec.ClassCount}.");
    }
}
