namespace MLNetCnn.Training;

/// <summary>
/// Where and how often training saves its state (weights, optimizer and schedule, random generators, early
/// stopping and history) so that <see cref="Resume"/> can continue it. The checkpoint is one file in
/// <see cref="Folder"/>, replaced atomically: an interruption leaves the previous checkpoint intact.
/// </summary>
public sealed record CheckpointOptions
{
    /// <summary>The folder of the checkpoint; created when missing.</summary>
    public required string Folder { get; init; }

    /// <summary>Also save every this many optimisation steps within epochs; 0 saves at the end of each epoch only.</summary>
    public int EverySteps { get; init; }

    /// <summary>
    /// Continue from the checkpoint in <see cref="Folder"/> when there is one (a fresh run starts otherwise). On the
    /// CPU, a run resumed with the same data and options gives exactly the weights of an uninterrupted run.
    /// </summary>
    public bool Resume { get; init; }
}
