using System.Collections.Concurrent;
using MLNetCnn.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// The mini-batches of one epoch in a shuffled order (a <see cref="ShuffledOrder"/> of the rows, or a class-balanced draw),
/// from a given step on, read from an <see cref="IEpochData"/> (with the rows' weights for a <see cref="WeightedEpochData"/>):
/// prepared on demand, or by a background
/// thread that keeps up to <see cref="PrefetchDepth"/> batches ready while the network computes. Prefetched
/// tensors are made outside any dispose scope and attached to the caller's step scope when taken, so they are
/// freed with the step; batches never taken are freed by <see cref="Dispose"/>.
/// </summary>
internal sealed class EpochBatches : IDisposable
{
    /// <summary>Batches a prefetching thread keeps ready.</summary>
    public const int PrefetchDepth = 2;

    private readonly IEpochData _data;
    private readonly Func<long, long> _rowAt;
    private readonly int _epoch;
    private readonly int _batchSize;
    private readonly int _stepCount;
    private readonly bool _pinMemory;
    private readonly BlockingCollection<(Tensor Images, Tensor Labels, Tensor? Weights)>? _ready;
    private readonly CancellationTokenSource? _stop;
    private readonly Thread? _producer;
    private Exception? _producerFailure;
    private long[]? _rows;
    private int _nextStep;

    /// <param name="data">The images.</param>
    /// <param name="order">The order of the rows in this epoch.</param>
    /// <param name="epoch">The epoch (from 1), which random augmentation draws for.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="firstStep">The first step to give (from 0), to continue an epoch.</param>
    /// <param name="prefetch">Prepare batches on a background thread.</param>
    /// <param name="pinMemory">Put prefetched batches in page-locked memory for fast, asynchronous copies to a GPU.</param>
    public EpochBatches(IEpochData data, ShuffledOrder order, int epoch, int batchSize, int firstStep, bool prefetch, bool pinMemory)
        : this(data, position => order[position], epoch, batchSize, firstStep, prefetch, pinMemory)
    {
    }

    /// <param name="data">The images.</param>
    /// <param name="rowAt">The row at each position of this epoch.</param>
    /// <param name="epoch">The epoch (from 1), which random augmentation draws for.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="firstStep">The first step to give (from 0), to continue an epoch.</param>
    /// <param name="prefetch">Prepare batches on a background thread.</param>
    /// <param name="pinMemory">Put prefetched batches in page-locked memory for fast, asynchronous copies to a GPU.</param>
    public EpochBatches(IEpochData data, Func<long, long> rowAt, int epoch, int batchSize, int firstStep, bool prefetch, bool pinMemory)
    {
        _data = data;
        _rowAt = rowAt;
        _epoch = epoch;
        _batchSize = batchSize;
        _stepCount = StepCount(data.Count, batchSize);
        _nextStep = firstStep;
        _pinMemory = pinMemory && prefetch;
        if (prefetch)
        {
            _ready = new BlockingCollection<(Tensor, Tensor, Tensor?)>(PrefetchDepth);
            _stop = new CancellationTokenSource();
            _producer = new Thread(Produce) { IsBackground = true, Name = "MLNetCnn batch prefetch" };
            _producer.Start();
        }
    }

    /// <summary>
    /// The steps of an epoch of <paramref name="count"/> images: a last batch of a single image is dropped, since
    /// it would break batch normalisation's batch statistics (unless it is the only image).
    /// </summary>
    public static int StepCount(long count, int batchSize)
    {
        long full = count / batchSize, remainder = count % batchSize;
        return checked((int)(full + (remainder > 1 || count == 1 ? 1 : 0)));
    }

    /// <summary>The next batch, its tensors owned by <paramref name="stepScope"/>; false after the last.</summary>
    public bool TryTake(DisposeScope stepScope, out Tensor images, out Tensor labels) => TryTake(stepScope, out images, out labels, out _);

    /// <summary>The next batch and its rows' weights (null unless the data is a <see cref="WeightedEpochData"/>); false after the
    /// last.</summary>
    public bool TryTake(DisposeScope stepScope, out Tensor images, out Tensor labels, out Tensor? weights)
    {
        if (_ready is null)
        {
            if (_nextStep >= _stepCount)
            {
                images = labels = null!;
                weights = null;
                return false;
            }
            (images, labels, weights) = Prepare(_nextStep++, _rows ??= new long[_batchSize]);
            return true;
        }
        if (_ready.TryTake(out var batch, Timeout.Infinite))
        {
            stepScope.Attach(batch.Images, batch.Labels);
            if (batch.Weights is not null)
                stepScope.Attach(batch.Weights);
            (images, labels, weights) = batch;
            return true;
        }
        if (_producerFailure is { } failure)
            throw new InvalidOperationException($"Preparing a training batch failed: {failure.Message}", failure);
        images = labels = null!;
        weights = null;
        return false;
    }

    /// <summary>Stops the prefetching thread and frees the batches it prepared that were not taken.</summary>
    public void Dispose()
    {
        if (_ready is null)
            return;
        _stop!.Cancel();
        _producer!.Join();
        while (_ready.TryTake(out var batch))
        {
            batch.Images.Dispose();
            batch.Labels.Dispose();
            batch.Weights?.Dispose();
        }
        _ready.Dispose();
        _stop.Dispose();
    }

    private (Tensor Images, Tensor Labels, Tensor? Weights) Prepare(int step, long[] rows)
    {
        long start = (long)step * _batchSize;
        int count = (int)Math.Min(_batchSize, _data.Count - start);
        for (int i = 0; i < count; i++)
            rows[i] = _rowAt(start + i);
        var (images, labels) = _data.ReadBatch(_epoch, rows.AsSpan(0, count));
        return (images, labels, (_data as WeightedEpochData)?.ReadWeights(rows.AsSpan(0, count)));
    }

    private void Produce()
    {
        try
        {
            var rows = new long[_batchSize];
            for (int step = _nextStep; step < _stepCount; step++)
            {
                Tensor images, labels;
                Tensor? weights;
                using (var scope = NewDisposeScope())
                {
                    (images, labels, weights) = Prepare(step, rows);
                    if (_pinMemory)
                        (images, labels, weights) = (images.pin_memory(), labels.pin_memory(), weights?.pin_memory());
                    scope.Detach(images, labels);
                    if (weights is not null)
                        scope.Detach(weights);
                }
                try
                {
                    _ready!.Add((images, labels, weights), _stop!.Token);
                }
                catch (OperationCanceledException)
                {
                    images.Dispose();
                    labels.Dispose();
                    weights?.Dispose();
                    return;
                }
            }
        }
        catch (Exception e)
        {
            _producerFailure = e;
        }
        finally
        {
            _ready!.CompleteAdding();
        }
    }
}
