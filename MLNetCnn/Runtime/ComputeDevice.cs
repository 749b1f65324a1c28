namespace MLNetCnn.Runtime;

/// <summary>Where a network trains and scores.</summary>
public enum ComputeDevice
{
    /// <summary>CUDA when <c>torch.cuda.is_available()</c>, the CPU otherwise.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>A CUDA GPU; an error when there is none, unless falling back to the CPU is allowed.</summary>
    Cuda,
}
