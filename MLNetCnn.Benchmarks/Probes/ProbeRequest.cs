using System.Text.Json.Serialization;
using MLNetCnn.Data;

namespace MLNetCnn.Benchmarks.Probes;

/// <summary>What a probe measures.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProbeTask>))]
internal enum ProbeTask
{
    /// <summary>Training images/s: the raw engine on in-memory images and the ML.NET pipeline, alternately.</summary>
    Train,

    /// <summary>Scoring images/s (engine batches, ML.NET <c>Transform</c>) and the latency of one prediction.</summary>
    Score,
}

/// <summary>How glibc's malloc is set in the probe's process.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MallocMode>))]
internal enum MallocMode
{
    /// <summary>glibc's defaults.</summary>
    Default,

    /// <summary>Freed memory kept for reuse: <see cref="Runtime.NativeMemoryTuning"/> in .NET, <c>GLIBC_TUNABLES</c> for PyTorch.</summary>
    Tuned,
}

/// <summary>One probe: a model, a batch size, how many steps, how often, on how many threads.</summary>
internal sealed record ProbeRequest
{
    /// <summary>peer.py's definition of the same network.</summary>
    public const string OurPeer = "ours";

    /// <summary>torchvision's own model (<c>torchvision.models.resnet18</c>).</summary>
    public const string TorchvisionPeer = "torchvision";

    public ProbeTask Task { get; init; }

    public string Architecture { get; init; } = "lenet5";

    public int Channels { get; init; } = 1;

    public int Height { get; init; } = 28;

    public int Width { get; init; } = 28;

    public int Classes { get; init; } = 10;

    public int BatchSize { get; init; } = 64;

    /// <summary>Training steps of one run, or batches scored in one run.</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Single-image predictions timed for the latency.</summary>
    public int Predictions { get; init; } = 200;

    /// <summary>Runs timed; the median is reported.</summary>
    public int Repeats { get; init; } = 5;

    /// <summary>Runs made first and not timed (JIT, oneDNN primitive caches, allocator warm-up).</summary>
    public int Warmups { get; init; } = 1;

    public int Threads { get; init; } = 2;

    public MallocMode Malloc { get; init; }

    /// <summary>Training probes time the engine only, not the ML.NET pipeline.</summary>
    public bool EngineOnly { get; init; }

    /// <summary>The PyTorch network: <see cref="OurPeer"/> (peer.py's copy of ours) or <see cref="TorchvisionPeer"/> (torchvision's own).</summary>
    public string Peer { get; init; } = OurPeer;

    /// <summary>The layout the engine and the pipeline train and score in.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<TensorLayout>))]
    public TensorLayout Layout { get; init; } = TensorLayouts.Default;

    public int Seed { get; init; } = 1;

    [JsonIgnore]
    public ImageShape Shape => new(Channels, Height, Width);

    [JsonIgnore]
    public int Images => Steps * BatchSize;
}
