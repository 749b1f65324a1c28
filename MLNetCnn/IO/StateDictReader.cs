using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.IO;

/// <summary>
/// Reads weights in TorchSharp's <c>Module.save</c> format into a network, trusting nothing the file says: the
/// tensor count must be the network's, every name one of its tensors and none twice, and every dtype and shape
/// its tensor's, all checked before a byte of that tensor is copied. No size read from the file allocates
/// anything; the bytes go straight into the network's own tensors.
/// </summary>
internal static class StateDictReader
{
    /// <summary>Fills the parameters and buffers of <paramref name="network"/>, which must live on the CPU.</summary>
    /// <exception cref="WeightMismatchException">The stored tensors are not the network's.</exception>
    /// <exception cref="EndOfStreamException">The stream ends inside the weights.</exception>
    /// <exception cref="FormatException">A count or size is malformed.</exception>
    public static void Load(nn.Module network, BinaryReader reader)
    {
        var expected = network.state_dict();
        long count = reader.Read7BitEncodedInt64();
        if (count != expected.Count)
            throw new WeightMismatchException($"the file holds {count} tensors, the network {expected.Count}");
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        using var noGrad = no_grad();
        for (long i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            if (!expected.TryGetValue(name, out var target))
                throw new WeightMismatchException($"the file holds a tensor '{name}' that the network has not");
            if (!loaded.Add(name))
                throw new WeightMismatchException($"the file holds tensor '{name}' twice");
            var (dtype, shape) = TensorReader.ReadHeader(reader);
            if (dtype != target.dtype)
                throw new WeightMismatchException($"tensor '{name}' is {dtype} in the file, {target.dtype} in the network");
            if (!shape.SequenceEqual(target.shape))
                throw new WeightMismatchException($"tensor '{name}' has shape [{string.Join(", ", shape)}] in the file, [{string.Join(", ", target.shape)}] in the network");
            target.ReadBytesFromStream(reader.BaseStream);
        }
    }
}

/// <summary>Stored weights that are not those of the network they are loaded into.</summary>
internal sealed class WeightMismatchException(string message) : Exception(message);
