using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// A data view's labelled images read in order, one row after another, for the first pass into a record file, each
/// prepared for the writer (<see cref="PreparedImage"/>) by the thread that decoded it. With
/// one worker the rows are read on the calling thread; with more, each worker opens its own cursor and decodes every
/// k-th row (ML.NET computes a column only when its getter is called, so skipping a row costs nothing), into a small
/// bounded queue the caller drains in row order: at most <c>workers x (depth + 1)</c> images are held at once. An error
/// reading a row surfaces at that row, in order, as it would on one thread.
/// </summary>
internal sealed class DecodedRows : IDisposable
{
    private const int Depth = 2;

    private readonly LabelledImages _data;
    private readonly Worker[] _workers;
    private readonly CancellationTokenSource _stop = new();
    private long _next;
    private Slot? _current;

    /// <summary>Starts reading <paramref name="data"/> with <paramref name="workers"/> decoding threads (1: on the caller's).</summary>
    public DecodedRows(LabelledImages data, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _data = data;
        _workers = [.. Enumerable.Range(0, workers).Select(k => new Worker(this, k, workers))];
        if (workers > 1)
        {
            foreach (var worker in _workers)
                worker.Start();
        }
    }

    /// <summary>The label of the current row.</summary>
    public int Label => _current!.Label;

    /// <summary>The image of the current row, prepared for writing (valid until the next <see cref="MoveNext"/>), unless <see
    /// cref="ImageError"/> is set.</summary>
    public PreparedImage Image => _current!.Image;

    /// <summary>Why the current row's image could not be read (an error naming the row), or null.</summary>
    public InvalidOperationException? ImageError => _current!.ImageError;

    /// <summary>The image file the current row names, when its image could not be read and a text column names one.</summary>
    public string? File => _current!.File;

    /// <summary>Moves to the next row; false at the end. Any other error reading the row is thrown here.</summary>
    public bool MoveNext()
    {
        if (_current is not null)
            _workers[(_next - 1) % _workers.Length].Release(_current);
        var slot = _workers[_next % _workers.Length].Next();
        _current = slot;
        if (slot is null)
            return false;
        _next++;
        slot.Error?.Throw();
        return true;
    }

    /// <summary>Stops the workers and closes their cursors.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        foreach (var worker in _workers)
            worker.Dispose();
        _stop.Dispose();
    }

    private sealed class Slot(ImageShape shape)
    {
        public PreparedImage Image { get; } = new(shape);

        public int Label { get; set; }

        public InvalidOperationException? ImageError { get; set; }

        public string? File { get; set; }

        public ExceptionDispatchInfo? Error { get; set; }
    }

    /// <summary>One cursor over the view that reads rows <c>index, index + count, ...</c>.</summary>
    private sealed class Worker : IDisposable
    {
        private readonly DecodedRows _owner;
        private readonly int _index;
        private readonly int _count;
        private readonly BlockingCollection<Slot> _ready = new(Depth);
        private readonly BlockingCollection<Slot> _free = new();
        private DataViewRowCursor? _cursor;
        private Func<int>? _readLabel;
        private Action<Span<float>>? _readImage;
        private ValueGetter<ReadOnlyMemory<char>>[] _readTexts = [];
        private Task? _task;
        private ExceptionDispatchInfo? _failure;

        public Worker(DecodedRows owner, int index, int count)
        {
            (_owner, _index, _count) = (owner, index, count);
            for (int i = 0; i < (count == 1 ? 1 : Depth + 1); i++)
                _free.Add(new Slot(owner._data.Image.Shape));
        }

        public void Start() => _task = Task.Factory.StartNew(Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        /// <summary>The worker's next row, or null when it has no more.</summary>
        public Slot? Next()
        {
            if (_task is null)
                return ReadNext(_free.Take());
            if (_ready.TryTake(out var slot, Timeout.Infinite, _owner._stop.Token))
                return slot;
            _failure?.Throw();
            return null;
        }

        public void Release(Slot slot) => _free.Add(slot);

        public void Dispose()
        {
            try
            {
                _task?.Wait();
            }
            catch (AggregateException)
            {
                // Its failure was kept for the reader; stopping early is not an error.
            }
            _cursor?.Dispose();
            _ready.Dispose();
            _free.Dispose();
        }

        private void Run()
        {
            try
            {
                while (ReadNext(_free.Take(_owner._stop.Token)) is { } slot)
                    _ready.Add(slot, _owner._stop.Token);
            }
            catch (OperationCanceledException) when (_owner._stop.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                _ready.CompleteAdding();
            }
        }

        /// <summary>Reads this worker's next row into <paramref name="slot"/>; null (the slot released) at the end of the data.</summary>
        private Slot? ReadNext(Slot slot)
        {
            var data = _owner._data;
            if (_cursor is null)
            {
                var texts = DataViewRecords.TextColumns(data.View.Schema);
                _cursor = data.View.GetRowCursor([data.Label, data.Image.Column, .. texts]);
                _readLabel = DataViewRecords.KeyReader(_cursor, data.Label, data.ClassCount);
                _readImage = data.Image.CreateReader(_cursor);
                _readTexts = [.. texts.Select(c => _cursor.GetGetter<ReadOnlyMemory<char>>(c))];
                if (!Skip(_index))
                    return Released(slot);
            }
            else if (!Skip(_count))
                return Released(slot);
            (slot.ImageError, slot.File, slot.Error) = (null, null, null);
            try
            {
                slot.Label = _readLabel!();
            }
            catch (Exception e)
            {
                slot.Error = ExceptionDispatchInfo.Capture(e);
                return slot;
            }
            try
            {
                _readImage!(slot.Image.Values);
                slot.Image.Prepare();
            }
            catch (InvalidOperationException e) when (e.Message.StartsWith("Row ", StringComparison.Ordinal))
            {
                slot.ImageError = e;
                slot.File = DataViewRecords.FileOf(_readTexts);
            }
            catch (Exception e)
            {
                slot.Error = ExceptionDispatchInfo.Capture(e);
            }
            return slot;
        }

        /// <summary>Moves the cursor <paramref name="rows"/> rows on (the first move counts as one); false at the end.</summary>
        private bool Skip(int rows)
        {
            for (int i = _cursor!.Position < 0 ? -1 : 0; i < rows; i++)
            {
                if (!_cursor.MoveNext())
                    return false;
            }
            return true;
        }

        private Slot? Released(Slot slot)
        {
            _free.Add(slot);
            return null;
        }
    }
}
