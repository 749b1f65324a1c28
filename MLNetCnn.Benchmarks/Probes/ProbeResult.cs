namespace MLNetCnn.Benchmarks.Probes;

/// <summary>
/// The rates of one probe, one value per timed run and way (<c>engine</c>, <c>pipeline</c>, <c>pytorch</c>), and the
/// process's resources over the timed runs. The same JSON comes from the .NET probe and from the PyTorch peer script.
/// </summary>
internal sealed record ProbeResult
{
    /// <summary>Training images per second by way.</summary>
    public Dictionary<string, List<double>> TrainImagesPerSecond { get; init; } = [];

    /// <summary>Scoring images per second by way.</summary>
    public Dictionary<string, List<double>> ScoreImagesPerSecond { get; init; } = [];

    /// <summary>Milliseconds per single-image prediction by way (one median per run).</summary>
    public Dictionary<string, List<double>> LatencyMilliseconds { get; init; } = [];

    /// <summary>Minor page faults per training step, by way.</summary>
    public Dictionary<string, double> MinorFaultsPerStep { get; init; } = [];

    /// <summary>Kernel CPU seconds per training step, by way.</summary>
    public Dictionary<string, double> SystemSecondsPerStep { get; init; } = [];

    /// <summary>User CPU seconds per training step, by way.</summary>
    public Dictionary<string, double> UserSecondsPerStep { get; init; } = [];

    /// <summary>Trainable parameters of the network, to check that both sides built the same one.</summary>
    public long Parameters { get; init; }

    /// <summary>The largest resident memory seen, in bytes.</summary>
    public long PeakResidentBytes { get; init; }

    /// <summary>What produced the numbers (TorchSharp/libtorch or PyTorch version).</summary>
    public string Runtime { get; init; } = "";
}
