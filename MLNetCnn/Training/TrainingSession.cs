using System.Diagnostics;
using MLNetCnn.Data;
using MLNetCnn.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// One training run of <see cref="ClassifierTrainer"/>: the epoch and step loop with its optimizer, schedule,
/// shuffling, early stopping, best weights, checkpoints, cancellation and the release of freed native memory.
/// </summary>
internal sealed class TrainingSession : IDisposable
{
    private readonly ClassifierTrainer _trainer;
    private readonly TrainingOptions _options;
    private readonly CnnModel _model;
    private readonly IEpochData _train;
    private readonly IEpochData? _validation;
    private readonly CancellationToken _cancellation;
    private readonly CheckpointStore? _store;
    private readonly EarlyStoppingMonitor? _monitor;
    private readonly Stopwatch _clock = new();
    private readonly List<EpochReport> _history = [];
    private readonly List<IDisposable> _owned = [];
    private readonly PeriodicMemoryRelease _memoryRelease = PeriodicMemoryRelease.ForTraining();

    private Backbone? _backbone;
    private TorchSharp.Modules.OptimizerHelper _optimizer = null!;
    private optim.lr_scheduler.LRScheduler _schedule = null!;
    private TrainingStep _step = null!;
    private ClassBalancedOrder? _balancedOrder;
    private int _stepsPerEpoch;
    private IReadOnlyDictionary<string, string> _run = null!;

    private int _epoch = 1;
    private int _stepInEpoch;
    private int _globalStep;
    private EpochTally _tally = new();
    private TimeSpan _elapsedBefore;
    private double _lastLearningRate;
    private WeightSnapshot? _best;
    private int _bestEpoch;
    private int? _resumedFromStep;
    private LossDivergence? _divergence;
    private WeightAverage? _average;
    private bool _channelsLast;

    public TrainingSession(ClassifierTrainer trainer, TrainingOptions options, CnnModel model, IEpochData train, IEpochData? validation,
        CancellationToken cancellation)
    {
        _trainer = trainer;
        _options = options;
        _model = model;
        _train = train;
        _validation = validation;
        _cancellation = cancellation;
        _store = options.Checkpoints is { } checkpoints ? new CheckpointStore(checkpoints.Folder) : null;
        _monitor = options.EarlyStopping is { } stopping ? new EarlyStoppingMonitor(stopping) : null;
    }

    private TimeSpan Elapsed => _elapsedBefore + _clock.Elapsed;

    /// <summary>Batches are prefetched for a GPU only, into page-locked memory from which copies are asynchronous.</summary>
    private bool PrefetchedBatches => _options.Prefetch && _model.Device.type == DeviceType.CUDA;

    public TrainingHistory Run()
    {
        _clock.Start();
        using var checkpoint = _options.Checkpoints is { Resume: true } && _store!.Exists ? _store.Read() : null;
        Prepare(_train.Count);
        if (checkpoint is not null)
            Restore(checkpoint);
        return Finish(TrainEpochs());
    }

    public void Dispose()
    {
        _backbone?.Freeze(false);
        if (_channelsLast)
            TensorLayouts.Convert(_model.Network, channelsLast: false);
        _best?.Dispose();
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private void Prepare(long imageCount)
    {
        _stepsPerEpoch = EpochBatches.StepCount(imageCount, _options.BatchSize);
        _backbone = _options.SeparatesBackbone ? Backbone.Of(_model) : null;
        // Converted before the optimizer exists, so that its state is made in the same layout.
        _channelsLast = _options.Layout.UsesChannelsLast(_model.Architecture, _model.Device);
        if (_channelsLast)
            TensorLayouts.Convert(_model.Network, channelsLast: true);
        _optimizer = Own(_backbone is null || _options.BackboneLearningRateFactor == 1
            ? OptimizerFactory.Create(_options, _model.Network.parameters())
            : OptimizerFactory.Create(_options, [(_backbone.HeadParameters, 1.0), (_backbone.Parameters, _options.BackboneLearningRateFactor)]));
        _schedule = ScheduleFactory.Create(_optimizer, _options, _stepsPerEpoch);
        _average = _options.EmaDecay > 0 ? Own(new WeightAverage(_model.Network, _options.EmaDecay)) : null;
        var classWeights = _options.ClassWeights.IsNone ? null : _options.ClassWeights.Resolve(_train.CountClasses());
        _step = Own(new TrainingStep(_model, _optimizer, _options, TrainingStep.MixedPrecisionFor(_model, _options), nonBlockingCopies: PrefetchedBatches,
            classWeights, _channelsLast));
        if (_channelsLast && _step.MixedPrecision is { } halves)
            TensorLayouts.Convert(halves.Network, channelsLast: true);
        _balancedOrder = _options.ClassBalancedSampling ? new ClassBalancedOrder(_train, _options.Seed) : null;
        if (_step.MixedPrecision is not null && _options.FrozenBackboneEpochs > 0)
            throw new NotSupportedException("FrozenBackboneEpochs cannot be combined with mixed precision: its 16-bit copy of the network would still train the backbone.");
        _run = RunSettings(imageCount);
    }

    private IReadOnlyDictionary<string, string> RunSettings(long imageCount)
    {
        var run = new Dictionary<string, string>
        {
            ["Architecture"] = _model.Architecture,
            ["Input"] = _model.Spec.Input.ToString(),
            ["ClassCount"] = $"{_model.Spec.ClassCount}",
            ["TrainingImages"] = $"{imageCount}",
            ["BatchSize"] = $"{_options.BatchSize}",
            ["Optimizer"] = $"{_options.Optimizer}",
            ["Schedule"] = $"{_options.Schedule}",
            ["WarmupSteps"] = $"{ScheduleFactory.WarmupSteps(_options, _stepsPerEpoch)}",
            ["MixedPrecision"] = $"{(_step.MixedPrecision is null ? MixedPrecision.None : _options.MixedPrecision)}",
            ["Seed"] = $"{_options.Seed}",
        };
        foreach (var (name, value) in new[] { ("MixUpAlpha", _options.MixUpAlpha), ("CutMixAlpha", _options.CutMixAlpha), ("EmaDecay", _options.EmaDecay) })
        {
            if (value > 0)
                run[name] = FormattableString.Invariant($"{value}");
        }
        if (_options.Schedule is ScheduleKind.Cosine or ScheduleKind.OneCycle)
            run["Epochs"] = $"{_options.Epochs}";
        if (!_options.ClassWeights.IsNone)
            run["ClassWeights"] = _options.ClassWeights.ToString();
        if (_options.ClassBalancedSampling)
            run["ClassBalancedSampling"] = "True";
        if (_train is WeightedEpochData)
            run["ExampleWeights"] = "True";
        if (_backbone is not null)
        {
            run["FrozenBackboneEpochs"] = $"{_options.FrozenBackboneEpochs}";
            run["BackboneLearningRateFactor"] = FormattableString.Invariant($"{_options.BackboneLearningRateFactor}");
        }
        return run;
    }

    private void Restore(TrainingCheckpoint checkpoint)
    {
        _store!.EnsureSameRun(checkpoint, _run);
        checkpoint.Weights.RestoreInto(_model.Network, _store.FilePath);
        _step.MixedPrecision?.CopyFromMaster();
        for (int i = 0; i < checkpoint.GlobalStep; i++)
            _schedule.step();
        using (var reader = new BinaryReader(new MemoryStream(checkpoint.OptimizerState)))
        using (CanonicalLayout())
            _optimizer.load_state_dict(reader);
        using (var state = tensor(checkpoint.GlobalRandomState))
            random.set_rng_state(state);
        if (_monitor is not null && checkpoint.EarlyStopping is { } stopping)
            _monitor.State = stopping;
        if (_step.MixedPrecision?.Scaler is { } scaler && checkpoint.LossScale is { } scale)
            scaler.State = scale;
        if (_average is not null)
        {
            var averaged = checkpoint.AveragedWeights
                ?? throw new InvalidDataException($"{_store.FilePath} holds no averaged weights, which EmaDecay needs.");
            _average.Restore(averaged, _model.Network, checkpoint.AverageUpdates, _store.FilePath);
        }
        if (checkpoint.BestWeights is { } best)
        {
            _best = best.Copy();
            _bestEpoch = checkpoint.BestWeightsEpoch;
        }
        _history.AddRange(checkpoint.History);
        (_epoch, _stepInEpoch, _globalStep) = (checkpoint.Epoch, checkpoint.StepInEpoch, checkpoint.GlobalStep);
        _tally = checkpoint.Tally;
        _elapsedBefore = checkpoint.Elapsed;
        _lastLearningRate = _step.LearningRate;
        _resumedFromStep = checkpoint.GlobalStep;
        _divergence = LossDivergence.Detect(_history);
        _model.WeightsChanged();
    }

    private TrainingOutcome TrainEpochs()
    {
        try
        {
            for (; _epoch <= _options.Epochs; _epoch++)
            {
                if (_monitor?.ShouldStop == true)
                    return TrainingOutcome.StoppedEarly;
                if (_monitor is not null && _divergence is not null)
                    return TrainingOutcome.Diverged;
                var epochClock = Stopwatch.StartNew();
                RunEpoch(epochClock);
                EndEpoch();
            }
            return TrainingOutcome.Completed;
        }
        catch (OperationCanceledException) when (_options.ReturnBestModelOnCancel && _best is not null)
        {
            return TrainingOutcome.Cancelled;
        }
    }

    private void RunEpoch(Stopwatch epochClock)
    {
        bool frozen = _epoch <= _options.FrozenBackboneEpochs;
        _backbone?.Freeze(frozen);
        _model.Network.train();
        if (frozen)
            _backbone!.KeepStatistics();
        var durationBefore = _tally.Duration;
        var order = new ShuffledOrder(_train.Count, _options.Seed, _epoch);
        int epoch = _epoch;
        Func<long, long> rowAt = _balancedOrder is { } balanced ? position => balanced.RowAt(epoch, position) : position => order[position];
        using var batches = new EpochBatches(_train, rowAt, _epoch, _options.BatchSize, _stepInEpoch, prefetch: PrefetchedBatches, pinMemory: PrefetchedBatches);
        while (true)
        {
            using (var scope = NewDisposeScope())
            {
                if (!batches.TryTake(scope, out var images, out var labels, out var weights))
                    break;
                _cancellation.ThrowIfCancellationRequested();
                _lastLearningRate = _step.LearningRate;
                var (loss, correct) = _step.Run(images, labels, weights, _epoch, _stepInEpoch + 1);
                _average?.Update();
                _tally.Add(loss, correct, images.shape[0]);
            }
            _stepInEpoch++;
            _globalStep++;
            _schedule.step();
            _memoryRelease.AfterStep();
            _tally.Duration = durationBefore + epochClock.Elapsed;
            if (_options.Checkpoints is { EverySteps: > 0 and var every } && _globalStep % every == 0 && _stepInEpoch < _stepsPerEpoch)
                SaveCheckpoint();
            _trainer.RaiseStepCompleted(new StepReport(_epoch, _stepInEpoch, _stepsPerEpoch, (int)_tally.Seen, _tally.MeanLoss, _tally.Accuracy));
        }
    }

    private void EndEpoch()
    {
        _memoryRelease.ReleaseNow();
        _model.Network.eval();
        // With weight averaging, the averaged weights are validated, and kept as the best ones.
        using var averaged = _average?.SwapIn();
        _model.WeightsChanged();
        (double Loss, double Accuracy)? validated = _validation is null ? null : _trainer.Evaluate(_model, _validation);
        var report = new EpochReport(_epoch, _options.Epochs, _tally.MeanLoss, _tally.Accuracy, validated?.Loss, validated?.Accuracy,
            _lastLearningRate, _tally.Seen / Math.Max(_tally.Duration.TotalSeconds, 1e-9), Elapsed);
        _history.Add(report);
        var newDivergence = _divergence is null ? LossDivergence.DetectAtLast(_history) : null;
        _divergence ??= newDivergence;
        bool keep = _monitor is not null ? _monitor.Observe(report) : _options.ReturnBestModelOnCancel;
        if (keep)
        {
            _best?.Dispose();
            _best = WeightSnapshot.Capture(_model.Network);
            _bestEpoch = _epoch;
        }
        averaged?.Dispose();
        _model.WeightsChanged();
        _stepInEpoch = 0;
        _tally = new EpochTally();
        if (_store is not null)
            SaveCheckpoint(nextEpoch: _epoch + 1);
        _trainer.RaiseEpochCompleted(report);
        if (newDivergence is not null)
            _trainer.RaiseDiverging(newDivergence);
    }

    private TrainingHistory Finish(TrainingOutcome outcome)
    {
        int? restored = null;
        _average?.CopyIntoNetwork();
        if (_best is not null && (_monitor is not null || outcome == TrainingOutcome.Cancelled))
        {
            _best.RestoreInto(_model.Network);
            restored = _bestEpoch;
        }
        _model.Network.eval();
        _model.WeightsChanged();
        return new TrainingHistory([.. _history], outcome, restored, _resumedFromStep, _divergence);
    }

    /// <summary>Channels-first weights and optimizer state until disposed, for TorchSharp's readers and writers.</summary>
    private IDisposable? CanonicalLayout() => _channelsLast ? TensorLayouts.ChannelsFirstWhile(_model.Network, _optimizer) : null;

    private void SaveCheckpoint(int? nextEpoch = null)
    {
        using var weights = WeightSnapshot.Capture(_model.Network);
        using var averagedWeights = _average?.Capture(_model.Network);
        using var optimizerState = new MemoryStream();
        using (var writer = new BinaryWriter(optimizerState, System.Text.Encoding.UTF8, leaveOpen: true))
        using (CanonicalLayout())
            _optimizer.save_state_dict(writer);
        using var globalState = random.get_rng_state();
        var checkpoint = new TrainingCheckpoint
        {
            Run = _run,
            Epoch = nextEpoch ?? _epoch,
            StepInEpoch = _stepInEpoch,
            GlobalStep = _globalStep,
            Tally = _tally,
            Elapsed = Elapsed,
            History = _history,
            GlobalRandomState = globalState.data<byte>().ToArray(),
            EarlyStopping = _monitor?.State,
            LossScale = _step.MixedPrecision?.Scaler?.State,
            Weights = weights,
            BestWeights = _best,
            BestWeightsEpoch = _bestEpoch,
            AveragedWeights = averagedWeights,
            AverageUpdates = _average?.Updates ?? 0,
            OptimizerState = optimizerState.ToArray(),
        };
        _store!.Save(checkpoint);
    }
}
