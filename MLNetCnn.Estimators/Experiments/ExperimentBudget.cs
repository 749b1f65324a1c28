namespace MLNetCnn.Estimators;

/// <summary>
/// An experiment's time budget and the caller's cancellation as one token that trials train under, and which of the two
/// stopped them.
/// </summary>
internal sealed class ExperimentBudget : IDisposable
{
    private readonly CancellationTokenSource _deadline = new();
    private readonly CancellationTokenSource _stop;
    private readonly CancellationToken _cancellation;

    /// <summary>Starts the clock.</summary>
    /// <param name="timeBudget">When the token fires; null for never.</param>
    /// <param name="cancellation">The caller's cancellation.</param>
    public ExperimentBudget(TimeSpan? timeBudget, CancellationToken cancellation)
    {
        _cancellation = cancellation;
        if (timeBudget is { } budget)
            _deadline.CancelAfter(budget);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _deadline.Token);
    }

    /// <summary>Fires at the deadline or on the caller's cancellation.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Whether the deadline has passed (and the caller did not cancel).</summary>
    public bool IsSpent => _deadline.IsCancellationRequested && !_cancellation.IsCancellationRequested;

    /// <summary>Throws an <see cref="OperationCanceledException"/> if the caller cancelled.</summary>
    public void ThrowIfCancelled() => _cancellation.ThrowIfCancellationRequested();

    public void Dispose()
    {
        _stop.Dispose();
        _deadline.Dispose();
    }
}
