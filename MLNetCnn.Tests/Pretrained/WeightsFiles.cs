using System.Text;
using System.Text.Json;
using MLNetCnn.Pretrained;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Pretrained;

/// <summary>Writes weights files as the converter does, from tensors chosen by a test.</summary>
internal static class WeightsFiles
{
    /// <summary>Writes <paramref name="tensors"/> and metadata for <paramref name="architecture"/> with ImageNet's normalisation.</summary>
    public static string Write(string path, string architecture, int classCount, IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        var metadata = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["format"] = "mlnetcnn-weights",
            ["version"] = 1,
            ["architecture"] = architecture,
            ["options"] = new Dictionary<string, double>(),
            ["class_count"] = classCount,
            ["mean"] = new[] { 0.485, 0.456, 0.406 },
            ["std"] = new[] { 0.229, 0.224, 0.225 },
            ["source"] = "a test",
        });
        var entries = tensors.ToList();
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream, Encoding.UTF8);
        writer.Write7BitEncodedInt64(entries.Count + 1);
        writer.Write(PretrainedWeights.MetadataEntry);
        using (var json = tensor(metadata))
            json.Save(writer);
        foreach (var (name, value) in entries)
        {
            writer.Write(name);
            value.Save(writer);
        }
        return path;
    }

    /// <summary>The state of a network as (name, tensor) pairs, in its order.</summary>
    public static IEnumerable<(string Name, Tensor Tensor)> StateOf(nn.Module network) =>
        network.state_dict().Select(p => (p.Key, p.Value));
}
