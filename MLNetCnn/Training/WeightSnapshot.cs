using MLNetCnn.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>
/// A copy of a network's parameters and buffers in CPU memory and channels-first layout (whatever the network's), restored by copying values back into the network's
/// own tensors (so optimizers holding those tensors stay valid on any device).
/// </summary>
internal sealed class WeightSnapshot : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    private WeightSnapshot(Dictionary<string, Tensor> tensors) => _tensors = tensors;

    /// <summary>Copies the current state of <paramref name="network"/>.</summary>
    public static WeightSnapshot Capture(nn.Module network)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in network.state_dict())
            tensors[name] = scope.Detach(TensorLayouts.ChannelsFirst(tensor.to(CPU, copy: true)));
        return new WeightSnapshot(tensors);
    }

    /// <summary>An independent copy of this snapshot.</summary>
    public WeightSnapshot Copy()
    {
        var tensors = new Dictionary<string, Tensor>(_tensors.Count);
        foreach (var (name, tensor) in _tensors)
            tensors[name] = tensor.clone().DetachFromDisposeScope();
        return new WeightSnapshot(tensors);
    }

    /// <summary>Writes the values back into <paramref name="network"/>, whose names and shapes must match.</summary>
    public void RestoreInto(nn.Module network, string source = "the snapshot")
    {
        using var noGrad = no_grad();
        var state = network.state_dict();
        if (state.Count != _tensors.Count || state.Keys.Any(name => !_tensors.ContainsKey(name)))
            throw new InvalidDataException($"The weights in {source} do not fit the network: it has {state.Count} tensors, {source} {_tensors.Count}.");
        foreach (var (name, target) in state)
        {
            var value = _tensors[name];
            if (!value.shape.SequenceEqual(target.shape) || value.dtype != target.dtype)
                throw new InvalidDataException($"The weights in {source} do not fit the network: '{name}' is {value.dtype} [{string.Join(", ", value.shape)}], the network's {target.dtype} [{string.Join(", ", target.shape)}].");
            target.copy_(value);
        }
    }

    /// <summary>Writes the names and tensors (in TorchSharp's tensor format).</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(_tensors.Count);
        foreach (var (name, tensor) in _tensors)
        {
            writer.Write(name);
            tensor.Save(writer);
        }
    }

    /// <summary>Reads tensors written by <see cref="Save"/> from a seekable stream, allocating no more than it holds.</summary>
    public static WeightSnapshot Load(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count is < 0 or > 1_000_000)
            throw new InvalidDataException($"A weight snapshot declares {count} tensors.");
        var tensors = new Dictionary<string, Tensor>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                string name = reader.ReadString();
                tensors[name] = TensorReader.Read(reader).DetachFromDisposeScope();
            }
        }
        catch
        {
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
            throw;
        }
        return new WeightSnapshot(tensors);
    }

    /// <summary>Frees the copies.</summary>
    public void Dispose()
    {
        foreach (var tensor in _tensors.Values)
            tensor.Dispose();
        _tensors.Clear();
    }
}
