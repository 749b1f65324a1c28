using MLNetCnn.Export;
using static TorchSharp.torch;

namespace MLNetCnn.Layers;

/// <summary>
/// Every <c>stride</c>-th row and column of NCHW maps: all a strided 1x1 convolution reads. The residual blocks run
/// their strided 1x1 convolutions as this and the same convolution unstrided, the same arithmetic, because oneDNN's
/// backward-data kernel for strided 1x1 convolutions (brgemm, libtorch 2.x) divides by the per-core cache size and stops
/// the process with SIGFPE on machines that report none (virtual machines that hide the cache topology).
/// </summary>
internal static class Subsampling
{
    /// <summary>The subsampled view of <paramref name="input"/>; the input itself for a stride of 1.</summary>
    public static Tensor Apply(Tensor input, long stride)
    {
        if (stride == 1)
            return input;
        var every = TensorIndex.Slice(step: stride);
        return input[TensorIndex.Colon, TensorIndex.Colon, every, every];
    }

    /// <summary>The ONNX counterpart of <see cref="Apply"/>: a <c>Slice</c> of the spatial axes.</summary>
    public static string Export(GraphBuilder graph, string input, long stride) =>
        stride == 1
            ? input
            : graph.Node("Slice", [input, graph.Constant("starts", [0, 0]), graph.Constant("ends", [long.MaxValue, long.MaxValue]),
                graph.Constant("axes", [2, 3]), graph.Constant("steps", [stride, stride])]);
}
