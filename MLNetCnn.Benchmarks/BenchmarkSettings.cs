using MLNetCnn.Data;
using MLNetCnn.Benchmarks.Probes;

namespace MLNetCnn.Benchmarks;

/// <summary>One model of the speed benchmarks and how much work one timed run of it does.</summary>
/// <param name="Architecture">A model-zoo name the PyTorch peer also defines.</param>
/// <param name="TrainSteps">Training steps per run.</param>
/// <param name="ScoreBatches">Batches scored per run.</param>
/// <param name="Predictions">Single-image predictions per latency run.</param>
/// <param name="Input">The image shape; null for the settings' 1x28x28.</param>
/// <param name="BatchSize">Images per batch; null for the settings' batch size.</param>
/// <param name="Peer">The PyTorch network to compare with: "ours" (peer.py's copy of ours) or "torchvision" (torchvision's own).</param>
internal sealed record Workload(string Architecture, int TrainSteps, int ScoreBatches, int Predictions, ImageShape? Input = null, int? BatchSize = null,
    string Peer = ProbeRequest.OurPeer)
{
    /// <summary>The row label: the architecture, and the input, batch and peer where they are not the defaults.</summary>
    public string Label => Architecture + (Input is { } input ? $" {input}" : "") + (BatchSize is { } batch ? $" batch {batch}" : "")
        + (Peer == ProbeRequest.OurPeer ? "" : $" ({Peer}'s)");
}

/// <summary>How a benchmark run is made: full size, or the smoke size the tests run.</summary>
internal sealed record BenchmarkSettings
{
    /// <summary>The models of the targets on Fashion-MNIST-sized input, each run a few seconds long on 2 cores.</summary>
    public static IReadOnlyList<Workload> StandardWorkloads { get; } =
    [
        new("lenet5", TrainSteps: 300, ScoreBatches: 300, Predictions: 2000),
        new("resnet20", TrainSteps: 30, ScoreBatches: 60, Predictions: 300),
        new("mobilenet-v1", TrainSteps: 30, ScoreBatches: 60, Predictions: 300),
        new("resnet18", TrainSteps: 6, ScoreBatches: 20, Predictions: 100),
        // torchvision's own ResNet-18 at the size where ours has its structure (7x7 stem and max-pool), no peer script of ours between.
        new("resnet18", TrainSteps: 6, ScoreBatches: 10, Predictions: 50, Input: new ImageShape(3, 112, 112), BatchSize: 32, Peer: ProbeRequest.TorchvisionPeer),
    ];

    /// <summary>Tiny sizes that exercise every code path in seconds; the numbers mean nothing.</summary>
    /// <summary>The input of workloads that name none.</summary>
    public static ImageShape DefaultInput { get; } = new(1, 28, 28);

    public bool Smoke { get; init; }

    /// <summary>Timed runs per measurement; the median is reported.</summary>
    public int Repeats { get; init; } = 5;

    /// <summary>Intra-op threads for TorchSharp and PyTorch alike.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Images per batch in training and scoring.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The folder results.md and results.json go to.</summary>
    public string Output { get; init; } = "benchmark-results";

    /// <summary>The Python that has PyTorch (Debian's python3-torch); null leaves PyTorch out.</summary>
    public string? Python { get; init; } = "/usr/bin/python3";

    /// <summary>Probes run in this process instead of one child process each.</summary>
    public bool InProcess { get; init; }

    /// <summary>The models to measure.</summary>
    public IReadOnlyList<Workload> Workloads { get; init; } = StandardWorkloads;

    /// <summary>
    /// The settings of a smoke run: LeNet-5 and ResNet-20 (every code path; the other models differ only by name), batches
    /// of 4, 3 steps (12 images: every class), one run, no warm-up, in process, no PyTorch.
    /// </summary>
    public BenchmarkSettings AsSmoke() => this with
    {
        Smoke = true,
        Repeats = 1,
        BatchSize = 4,
        Python = null,
        InProcess = true,
        Workloads = [.. Workloads.Where(w => w.Architecture is "lenet5" or "resnet20").Select(Shrink)],
    };

    /// <summary>The workload of one model: from <see cref="Workloads"/>, else the standard one at the default input (at smoke size in a smoke run).</summary>
    public Workload WorkloadFor(string architecture) =>
        Workloads.FirstOrDefault(w => w.Architecture == architecture)
        ?? StandardWorkloads.Where(w => w.Architecture == architecture && w.Input is null).Select(w => Smoke ? Shrink(w) : w).Single();

    private static Workload Shrink(Workload workload) => workload with { TrainSteps = 3, ScoreBatches = 3, Predictions = 3 };

    /// <summary>A probe request for one workload with these settings.</summary>
    public ProbeRequest Request(Workload workload, ProbeTask task, MallocMode malloc) => new()
    {
        Task = task,
        Architecture = workload.Architecture,
        Channels = (workload.Input ?? DefaultInput).Channels,
        Height = (workload.Input ?? DefaultInput).Height,
        Width = (workload.Input ?? DefaultInput).Width,
        Peer = workload.Peer,
        BatchSize = Smoke ? BatchSize : workload.BatchSize ?? BatchSize,
        Steps = task == ProbeTask.Train ? workload.TrainSteps : workload.ScoreBatches,
        Predictions = workload.Predictions,
        Repeats = Repeats,
        Warmups = Smoke ? 0 : 1,
        Threads = Threads,
        Malloc = malloc,
    };

    /// <summary>Runs probes where these settings say.</summary>
    public ProbeHost Host() => new(Python ?? "", InProcess);
}
