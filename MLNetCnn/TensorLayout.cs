using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn;

/// <summary>
/// How the 4-d tensors of a network lie in memory while it trains and scores: the images, the feature maps, the
/// convolution weights, their gradients and the optimizer's state. Shapes stay (N, C, H, W) either way; libtorch's
/// convolution and batch-normalisation kernels follow the layout of their input and weights. Saved models, checkpoints,
/// ONNX graphs and pretrained weights are always channels-first, whatever the layout.
/// </summary>
public enum TensorLayout
{
    /// <summary>
    /// Channels-last for the architectures measured faster that way on the device (<see cref="TensorLayouts.ChannelsLastByDefault"/>),
    /// channels-first for the others and for registered architectures of one's own.
    /// </summary>
    Auto,

    /// <summary>Channels-first (NCHW), libtorch's default.</summary>
    ChannelsFirst,

    /// <summary>
    /// Channels-last (NHWC memory of NCHW-shaped tensors), PyTorch's <c>torch.channels_last</c>; channels-first where it is not
    /// supported (<see cref="TensorLayouts.ChannelsLastSupported"/>).
    /// </summary>
    ChannelsLast,
}

/// <summary>The choice of <see cref="TensorLayout.Auto"/> and the conversions between the layouts.</summary>
public static class TensorLayouts
{
    /// <summary>The layout training and scoring use unless told otherwise.</summary>
    public const TensorLayout Default = TensorLayout.Auto;

    /// <summary>What the layout option does, for the command line and the ML.NET options.</summary>
    public const string Description = "The memory layout of images, feature maps and convolution weights while training and scoring: auto " +
        "(channels-last for the architectures measured faster that way on the device), channels-first or channels-last; saved models are the same either way.";

    // Engine training, channels-last against channels-first on 2 EPYC cores, idle (BENCHMARKS.md, "Channels-last"): ResNet-20 1.36-1.42x,
    // MobileNet v1 1.18-1.25x, GoogLeNet 1.21x, torchvision's ResNet-18 at 112 px 1.22x; LeNet-5 and VGG-11-BN within the noise.
    private static readonly string[] FasterChannelsLastOnCpu = ["resnet", "mobilenet", "googlenet"];

    // Where oneDNN is held to AVX (CPUs that do not describe their caches), engine training in alternated rounds (BENCHMARKS.md,
    // "CPUs that do not ..."): MobileNet v1 1.09-1.44x, GoogLeNet 1.05-1.19x, ResNet-14, -20 and -56 0.84-1.37x channels-last, faster
    // in 12 of 14 rounds (-32, -44 and -110 are the same blocks, between and beyond); ResNet-8 0.82-1.43x, torchvision's ResNet-18 at
    // 112 px 0.93-1.00x and ResNet-50 0.94-1.22x stay channels-first.
    private static readonly string[] FasterChannelsLastWhereOneDnnIsHeldToAvx =
        ["mobilenet", "googlenet", "resnet14", "resnet20", "resnet32", "resnet44", "resnet56", "resnet110"];

    /// <summary>Whether <see cref="TensorLayout.Auto"/> trains and scores <paramref name="architecture"/> channels-last on <paramref name="device"/>.</summary>
    public static bool ChannelsLastByDefault(string architecture, Device device)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        ArgumentNullException.ThrowIfNull(device);
        // cuDNN's channels-last kernels pay off with tensor cores, that is in 16-bit; no CUDA measurement here, so float32 stays NCHW.
        var families = Runtime.CpuCacheTopology.IsDescribed ? FasterChannelsLastOnCpu : FasterChannelsLastWhereOneDnnIsHeldToAvx;
        return device.type == DeviceType.CPU && families.Any(family => architecture.StartsWith(family, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Whether channels-last can run on <paramref name="device"/>: not on a CPU that does not describe its caches (some virtual
    /// machines) when a user's own <c>ONEDNN_MAX_CPU_ISA</c> lets libtorch's oneDNN use its AVX2 or AVX-512 kernels there, whose
    /// channels-last 1x1 convolutions divide by a cache size of zero and stop the process. Where it cannot, every layout runs
    /// channels-first. The library holds oneDNN to AVX on such CPUs unless told otherwise, and channels-last runs there.
    /// </summary>
    public static bool ChannelsLastSupported(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.type != DeviceType.CPU || Runtime.OneDnnInstructionSetLimit.HoldsWhereCachesAreUnknown;
    }

    /// <summary>
    /// Whether <paramref name="layout"/> means channels-last for <paramref name="architecture"/> on <paramref name="device"/>; always
    /// false where channels-last is not supported (<see cref="ChannelsLastSupported"/>).
    /// </summary>
    public static bool UsesChannelsLast(this TensorLayout layout, string architecture, Device device) => layout switch
    {
        TensorLayout.ChannelsLast => ChannelsLastSupported(device),
        TensorLayout.ChannelsFirst => false,
        TensorLayout.Auto => ChannelsLastByDefault(architecture, device) && ChannelsLastSupported(device),
        _ => throw new ArgumentOutOfRangeException(nameof(layout), layout, "Unknown tensor layout."),
    };

    /// <summary>
    /// A 4-d tensor with the same shape and values in channels-last memory, with PyTorch's strides for it (<c>torch.channels_last</c>):
    /// itself when it already has them, or when it is not 4-d. TorchSharp 0.107 has no <c>contiguous(memory_format)</c>.
    /// </summary>
    public static Tensor ToChannelsLast(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.dim() != 4 || IsChannelsLast(tensor) ? tensor : Repacked(tensor, ChannelsLastStrides(tensor.shape));
    }

    /// <summary>
    /// Whether libtorch's kernels take a 4-d tensor as channels-last (PyTorch's <c>suggest_memory_format()</c>): its strides put the
    /// channels innermost, and where a dimension of size 1 leaves that ambiguous, they are the ones <c>torch.channels_last</c> gives.
    /// </summary>
    /// <remarks>
    /// Ambiguity is common: a grayscale batch (N, 1, H, W), a depthwise weight (C, 1, 3, 3) or a pointwise one (C, C', 1, 1) is dense
    /// either way, and with channels-first strides libtorch runs it, and every layer after it, channels-first.
    /// </remarks>
    public static bool IsChannelsLast(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.dim() == 4 && SuggestsChannelsLast(tensor.shape, tensor.stride());
    }

    // c10/core/MemoryFormat.h, is_channels_last_strides_2d_s4: the order of the strides decides, and ties fall to channels-first.
    private static bool SuggestsChannelsLast(long[] shape, long[] strides)
    {
        if (strides[1] == 0)
            return false;
        long min = 0;
        foreach (int dim in (ReadOnlySpan<int>)[1, 3, 2, 0])
        {
            if (shape[dim] == 0 || strides[dim] < min || (dim == 0 && min == strides[1]))
                return false;
            min = strides[dim] * (shape[dim] > 1 ? shape[dim] : 1);
        }
        return true;
    }

    private static long[] ChannelsLastStrides(long[] shape) => [shape[1] * shape[2] * shape[3], 1, shape[3] * shape[1], shape[1]];

    private static long[] ChannelsFirstStrides(long[] shape) => [shape[1] * shape[2] * shape[3], shape[2] * shape[3], shape[3], 1];

    private static Tensor Repacked(Tensor tensor, long[] strides)
    {
        // copy_ is differentiable: gradients reach a tensor that needs them (saliency maps take them on the input).
        var packed = empty_strided(tensor.shape, strides, tensor.dtype, tensor.device);
        return packed.copy_(tensor);
    }

    /// <summary>
    /// Puts every 4-d parameter and buffer of <paramref name="network"/> into channels-last (or back into channels-first) memory in
    /// place: the tensors keep their identity, so an optimizer created before holds them still, and gradients follow their layout.
    /// </summary>
    internal static void Convert(nn.Module network, bool channelsLast)
    {
        using var noGrad = no_grad();
        foreach (var (_, parameter) in network.named_parameters())
        {
            // A gradient keeps the layout it was made in; the next backward pass makes one in the new layout.
            if (parameter.dim() == 4)
                parameter.grad = null;
            Relayout(parameter, channelsLast);
        }
        foreach (var (_, buffer) in network.named_buffers())
            Relayout(buffer, channelsLast);
    }

    /// <summary>
    /// Puts the network and the optimizer's state into channels-first memory until the result is disposed, which puts them back:
    /// TorchSharp's writers and readers copy a tensor's memory as it lies, so saving or loading needs the canonical layout.
    /// </summary>
    internal static IDisposable ChannelsFirstWhile(nn.Module network, optim.Optimizer optimizer)
    {
        Convert(network, channelsLast: false);
        var state = OptimizerStateTensors(optimizer);
        using (no_grad())
        {
            foreach (var tensor in state)
                Relayout(tensor, channelsLast: false);
        }
        return new Restore(() =>
        {
            Convert(network, channelsLast: true);
            using var noGrad = no_grad();
            foreach (var tensor in OptimizerStateTensors(optimizer))
                Relayout(tensor, channelsLast: true);
        });
    }

    /// <summary>The tensor in channels-first memory, as the tensor writers need: itself when it is so, else a copy.</summary>
    internal static Tensor ChannelsFirst(Tensor tensor) => tensor.is_contiguous() ? tensor : tensor.contiguous();

    private static void Relayout(Tensor tensor, bool channelsLast)
    {
        if (tensor.dim() != 4)
            return;
        var strides = channelsLast ? ChannelsLastStrides(tensor.shape) : ChannelsFirstStrides(tensor.shape);
        // Equal strides, not just the same order in memory: libtorch reads the layout of ambiguous tensors from them.
        if (tensor.stride().AsSpan().SequenceEqual(strides))
            return;
        using var converted = Repacked(tensor, strides);
        tensor.set_(converted);
    }

    // TorchSharp's optimizer states (Adam's exp_avg, SGD's momentum_buffer, ...) expose their tensors as public fields only.
    private static List<Tensor> OptimizerStateTensors(optim.Optimizer optimizer)
    {
        var tensors = new List<Tensor>();
        if (optimizer is not TorchSharp.Modules.OptimizerHelper helper)
            return tensors;
        foreach (var state in helper.state_dict().State)
        {
            foreach (var field in state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance))
            {
                if (field.FieldType == typeof(Tensor) && field.GetValue(state) is Tensor tensor)
                    tensors.Add(tensor);
            }
        }
        return tensors;
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        private Action? _restore = restore;

        public void Dispose()
        {
            _restore?.Invoke();
            _restore = null;
        }
    }
}
