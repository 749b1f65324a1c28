using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using MLNetCnn.IO;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Pretrained;

/// <summary>
/// A file of pretrained weights for a network of the model zoo, as <c>scripts/convert_torchvision.py</c> writes it
/// from torchvision's models: TorchSharp's state-dict format (what <c>Module.save</c> writes and TorchSharp's
/// <c>exportsd.py</c> produces, so <c>module.load(path, strict: false)</c> reads it too) with torchvision's tensor
/// names, which are the networks' own, and an entry <see cref="MetadataEntry"/> telling the architecture, the
/// class count and the input normalisation the weights expect. Reading indexes the tensors without loading them;
/// <see cref="LoadInto"/> checks every name, shape and type against a network before copying anything.
/// </summary>
public sealed class PretrainedWeights
{
    /// <summary>The entry holding the metadata: UTF-8 JSON in a one-dimensional uint8 tensor.</summary>
    public const string MetadataEntry = "__metadata__";

    private const string Format = "mlnetcnn-weights";
    private const int FormatVersion = 1;
    private const int MaxEntries = 1 << 20;
    private const int MaxMetadataBytes = 1 << 20;
    private const int ReadBufferBytes = 1 << 20;
    private const uint ZipSignature = 0x04034B50;  // "PK\x03\x04", little-endian
    private const int MaxNamesListed = 12;

    private readonly IReadOnlyList<Entry> _entries;

    private PretrainedWeights(string filePath, Metadata metadata, IReadOnlyList<Entry> entries)
    {
        FilePath = filePath;
        Architecture = metadata.Architecture;
        ArchitectureOptions = new Dictionary<string, double>(metadata.Options, StringComparer.OrdinalIgnoreCase);
        ClassCount = metadata.ClassCount;
        Mean = metadata.Mean;
        Std = metadata.Std;
        Source = metadata.Source ?? "";
        _entries = entries;
    }

    /// <summary>The file the weights are read from.</summary>
    public string FilePath { get; }

    /// <summary>The registered architecture (see <see cref="ModelZoo"/>) whose structure the weights fit.</summary>
    public string Architecture { get; }

    /// <summary>The family options of that architecture.</summary>
    public IReadOnlyDictionary<string, double> ArchitectureOptions { get; }

    /// <summary>The number of classes the weights' classifier head scores (1000 for ImageNet).</summary>
    public int ClassCount { get; }

    /// <summary>The number of image channels the weights take.</summary>
    public int Channels => Mean.Length;

    /// <summary>The mean per channel that inputs must be standardised with, on pixels from 0 to 1.</summary>
    public float[] Mean { get; }

    /// <summary>The standard deviation per channel that inputs must be standardised with, on pixels from 0 to 1.</summary>
    public float[] Std { get; }

    /// <summary>Where the weights came from, as the converter described it.</summary>
    public string Source { get; }

    /// <summary>Reads the metadata of a weights file and indexes its tensors.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a weights file, is truncated, or its metadata is invalid.</exception>
    public static PretrainedWeights Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Weights file {path} does not exist.", path);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        if (stream.Length >= 4 && reader.ReadUInt32() == ZipSignature)
            throw new InvalidDataException($"{path} is a zip archive (a model that train saved?), not a weights file: write weights files with scripts/convert_torchvision.py.");
        stream.Position = 0;
        var entries = new List<Entry>();
        Metadata? metadata = null;
        try
        {
            long count = reader.Read7BitEncodedInt64();
            if (count is < 1 or > MaxEntries)
                throw new InvalidDataException($"{path} declares {count} tensors; it is not a weights file.");
            for (long i = 0; i < count; i++)
            {
                var entry = ReadEntry(reader, path);
                if (entry.Name == MetadataEntry)
                    metadata = ReadMetadata(reader, entry, path);
                else if (entries.Any(e => e.Name == entry.Name))
                    throw new InvalidDataException($"{path} holds tensor '{entry.Name}' twice.");
                else
                    entries.Add(entry);
                stream.Seek(entry.Offset + entry.ByteCount, SeekOrigin.Begin);
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} is truncated after {entries.Count} tensors.", e);
        }
        if (metadata is null)
            throw new InvalidDataException($"{path} has no '{MetadataEntry}' entry: write weights files with scripts/convert_torchvision.py.");
        return new PretrainedWeights(path, metadata, entries);
    }

    /// <summary>The standardisation the weights expect for inputs whose full-intensity pixel is <paramref name="pixelScale"/> (255 for 8-bit images, 1 for pixels scaled to 0..1).</summary>
    public InputNormalization Normalization(float pixelScale)
    {
        if (!float.IsFinite(pixelScale) || pixelScale <= 0)
            throw new ArgumentOutOfRangeException(nameof(pixelScale), pixelScale, "The pixel scale must be a positive number.");
        return new InputNormalization([.. Mean.Select(m => m * pixelScale)], [.. Std.Select(s => s * pixelScale)]);
    }

    /// <summary>
    /// Copies the weights into <paramref name="network"/> by name, after checking that every parameter and buffer of the
    /// network is in the file with the same shape and type and that the file holds nothing else; the layers named in
    /// <paramref name="skippedLayers"/> (and everything under them) are left out on both sides and keep their values.
    /// </summary>
    /// <param name="network">The network to fill.</param>
    /// <param name="target">Describes the network in the error, for example "a 'resnet18' network for 3x224x224 inputs".</param>
    /// <param name="skippedLayers">Dotted layer names not to load, such as a classifier head being replaced.</param>
    /// <exception cref="InvalidDataException">Names every tensor missing from the file, not in the network, or of another shape or type; nothing is copied then.</exception>
    public void LoadInto(nn.Module network, string target, IReadOnlyCollection<string>? skippedLayers = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        bool Skipped(string name) => skippedLayers?.Any(layer => name == layer || name.StartsWith(layer + ".", StringComparison.Ordinal)) == true;
        var destination = network.state_dict();
        var loaded = _entries.Where(e => !Skipped(e.Name)).ToList();
        var inFile = loaded.Select(e => e.Name).ToHashSet();
        var missing = destination.Keys.Where(name => !Skipped(name) && !inFile.Contains(name)).ToList();
        var unexpected = loaded.Where(e => !destination.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        var misshaped = loaded.Where(e => destination.TryGetValue(e.Name, out var tensor) && !e.Fits(tensor))
            .Select(e => $"{e.Name} (file {e.Describe()}, network {Entry.Describe(destination[e.Name].dtype, destination[e.Name].shape)})").ToList();
        if (missing.Count + unexpected.Count + misshaped.Count > 0)
        {
            var message = new StringBuilder($"The weights in {FilePath} do not fit {target}:");
            Append(message, "missing from the file", missing);
            Append(message, "in the file but not in the network", unexpected);
            Append(message, "of another shape or type", misshaped);
            throw new InvalidDataException(message.ToString());
        }

        using var noGrad = no_grad();
        using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read, ReadBufferBytes);
        foreach (var entry in loaded)
        {
            stream.Seek(entry.Offset, SeekOrigin.Begin);
            var tensor = destination[entry.Name];
            if (tensor.device_type == DeviceType.CPU && tensor.is_contiguous())
            {
                tensor.ReadBytesFromStream(stream, ReadBufferBytes);
            }
            else
            {
                using var onCpu = empty(entry.Shape, entry.Type);
                onCpu.ReadBytesFromStream(stream, ReadBufferBytes);
                tensor.copy_(onCpu);
            }
        }
    }

    private static void Append(StringBuilder message, string what, List<string> names)
    {
        if (names.Count == 0)
            return;
        message.Append($"{Environment.NewLine}  {what} ({names.Count}): {string.Join(", ", names.Take(MaxNamesListed))}");
        if (names.Count > MaxNamesListed)
            message.Append($", and {names.Count - MaxNamesListed} more");
    }

    private static Entry ReadEntry(BinaryReader reader, string path)
    {
        string name = reader.ReadString();
        if (name.Any(c => char.IsControl(c) || c == '\uFFFD'))
            throw new InvalidDataException($"{path} is not a weights file (a tensor name is not text): write weights files with scripts/convert_torchvision.py.");
        ScalarType type;
        long[] shape;
        try
        {
            (type, shape) = TensorReader.ReadHeader(reader);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"Tensor '{name}' in {path} is malformed: {e.Message}.", e);
        }
        if (!Entry.ElementSizes.TryGetValue(type, out int elementSize))
            throw new InvalidDataException($"Tensor '{name}' in {path} has element type {type}, which weights files do not use.");
        long offset = reader.BaseStream.Position;
        long byteCount = TensorReader.ByteCountWithin(shape, elementSize, reader.BaseStream.Length - offset)
            ?? throw new InvalidDataException($"{path} is truncated in tensor '{name}' ({Entry.Describe(type, shape)}).");
        return new Entry(name, type, shape, offset, byteCount);
    }

    private static Metadata ReadMetadata(BinaryReader reader, Entry entry, string path)
    {
        if (entry.Type != ScalarType.Byte || entry.Shape.Length != 1 || entry.ByteCount > MaxMetadataBytes)
            throw new InvalidDataException($"The '{MetadataEntry}' entry of {path} must be UTF-8 JSON in a one-dimensional uint8 tensor; it is {entry.Describe()}.");
        string json = Encoding.UTF8.GetString(reader.ReadBytes((int)entry.ByteCount));
        Metadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<Metadata>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The metadata of {path} is not valid JSON: {e.Message}", e);
        }
        if (metadata is null || metadata.Format != Format)
            throw new InvalidDataException($"{path} is not an MLNetCnn weights file (its metadata format is '{metadata?.Format}').");
        if (metadata.Version != FormatVersion)
            throw new InvalidDataException($"{path} has weights format version {metadata.Version}; this library reads version {FormatVersion}.");
        if (string.IsNullOrWhiteSpace(metadata.Architecture))
            throw new InvalidDataException($"The metadata of {path} names no architecture.");
        if (metadata.ClassCount < 2)
            throw new InvalidDataException($"The metadata of {path} declares {metadata.ClassCount} classes.");
        if (metadata.Mean is not { Length: > 0 } mean || metadata.Std is not { } std || std.Length != mean.Length
            || mean.Any(m => !float.IsFinite(m)) || std.Any(s => !float.IsFinite(s) || s <= 0))
            throw new InvalidDataException($"The metadata of {path} must give one finite mean and one positive standard deviation per channel.");
        return metadata;
    }

    /// <summary>The metadata the converter writes, in its JSON names.</summary>
    private sealed record Metadata
    {
        [JsonPropertyName("format")]
        public string? Format { get; init; }

        [JsonPropertyName("version")]
        public int Version { get; init; }

        [JsonPropertyName("architecture")]
        public string Architecture { get; init; } = "";

        [JsonPropertyName("options")]
        public Dictionary<string, double> Options { get; init; } = [];

        [JsonPropertyName("class_count")]
        public int ClassCount { get; init; }

        [JsonPropertyName("mean")]
        public float[] Mean { get; init; } = [];

        [JsonPropertyName("std")]
        public float[] Std { get; init; } = [];

        [JsonPropertyName("source")]
        public string? Source { get; init; }
    }

    /// <summary>A tensor in the file: its name, type, shape and where its bytes are.</summary>
    private sealed record Entry(string Name, ScalarType Type, long[] Shape, long Offset, long ByteCount)
    {
        /// <summary>The element types weights files use, by the size of one element in bytes.</summary>
        public static readonly IReadOnlyDictionary<ScalarType, int> ElementSizes = new Dictionary<ScalarType, int>
        {
            [ScalarType.Byte] = 1, [ScalarType.Int8] = 1, [ScalarType.Int16] = 2, [ScalarType.Int32] = 4, [ScalarType.Int64] = 8,
            [ScalarType.Float16] = 2, [ScalarType.BFloat16] = 2, [ScalarType.Float32] = 4, [ScalarType.Float64] = 8, [ScalarType.Bool] = 1,
        };

        public bool Fits(Tensor tensor) => tensor.dtype == Type && tensor.shape.SequenceEqual(Shape);

        public string Describe() => Describe(Type, Shape);

        public static string Describe(ScalarType type, long[] shape) => $"{type.ToString().ToLowerInvariant()} [{string.Join(", ", shape)}]";
    }
}
