using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// An exponential moving average of a network's weights (Polyak averaging, timm's <c>ModelEmaV2</c>), updated after every
/// optimizer step on the network's own device: <c>average = d * average + (1 - d) * weight</c> for parameters and
/// floating-point buffers, a plain copy for the others. The decay warms up as TensorFlow's does,
/// <c>d = min(decay, (1 + n) / (10 + n))</c> after n updates, so short runs are not dominated by the initial weights.
/// </summary>
internal sealed class WeightAverage : IDisposable
{
    private readonly double _decay;
    private readonly List<(Tensor Live, Tensor Average)> _pairs = [];

    /// <summary>Starts the average at the network's current weights.</summary>
    public WeightAverage(nn.Module network, double decay)
    {
        _decay = decay;
        using var noGrad = no_grad();
        foreach (var (_, live) in network.state_dict())
            _pairs.Add((live, live.detach().clone().DetachFromDisposeScope()));
    }

    /// <summary>Updates taken so far.</summary>
    public long Updates { get; private set; }

    /// <summary>Takes the network's weights after an optimizer step into the average.</summary>
    public void Update()
    {
        Updates++;
        double decay = Math.Min(_decay, (1.0 + Updates) / (10.0 + Updates));
        using var kept = decay.ToScalar();
        using var taken = (1 - decay).ToScalar();
        using var noGrad = no_grad();
        foreach (var (live, average) in _pairs)
        {
            if (average.is_floating_point())
                average.mul_(kept).add_(live, taken);
            else
                average.copy_(live);
        }
    }

    /// <summary>Puts the averaged weights into the network until the result is disposed, which puts the trained ones back.</summary>
    public IDisposable SwapIn()
    {
        Swap();
        return new SwapBack(this);
    }

    /// <summary>Copies the averaged weights into the network for good, as the model training returns.</summary>
    public void CopyIntoNetwork()
    {
        using var noGrad = no_grad();
        foreach (var (live, average) in _pairs)
            live.copy_(average);
    }

    /// <summary>The average in CPU memory, for checkpoints.</summary>
    public WeightSnapshot Capture(nn.Module network)
    {
        using (SwapIn())
            return WeightSnapshot.Capture(network);
    }

    /// <summary>Continues from a checkpoint's average after <paramref name="updates"/> updates.</summary>
    public void Restore(WeightSnapshot snapshot, nn.Module network, long updates, string source)
    {
        using (SwapIn())
            snapshot.RestoreInto(network, source);
        Updates = updates;
    }

    public void Dispose()
    {
        foreach (var (_, average) in _pairs)
            average.Dispose();
        _pairs.Clear();
    }

    private void Swap()
    {
        using var noGrad = no_grad();
        foreach (var (live, average) in _pairs)
        {
            using var held = live.clone();
            live.copy_(average);
            average.copy_(held);
        }
    }

    private sealed class SwapBack(WeightAverage average) : IDisposable
    {
        private bool _done;

        public void Dispose()
        {
            if (!_done)
                average.Swap();
            _done = true;
        }
    }
}
