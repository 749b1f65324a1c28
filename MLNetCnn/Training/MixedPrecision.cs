namespace MLNetCnn.Training;

/// <summary>
/// Reduced-precision arithmetic for training on CUDA. The forward and backward passes run in 16 bits on a
/// copy of the network while the model keeps float32 master weights that the optimizer updates (Micikevicius
/// et al., 2018); TorchSharp 0.107 has no autocast. On the CPU the setting has no effect: training runs in float32.
/// </summary>
public enum MixedPrecision
{
    /// <summary>Float32 throughout.</summary>
    None,

    /// <summary>bfloat16 passes (Ampere GPUs and later); float32's range, so no loss scaling is needed.</summary>
    BFloat16,

    /// <summary>float16 passes with dynamic loss scaling, which skips the steps whose gradients overflow.</summary>
    Float16,
}
