using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MLNetCnn.Data;
using TorchSharp;
using MLNetCnn.IO;
using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Pretrained;

/// <summary>
/// A file of pretrained weights for a network of the model zoo, in one of these formats:
/// <list type="bullet">
/// <item>what <c>scripts/convert_torchvision.py</c> writes from torchvision's models: TorchSharp's state-dict format (what
/// <c>Module.save</c> writes and TorchSharp's <c>exportsd.py</c> produces, so <c>module.load(path, strict: false)</c> reads
/// it too) with torchvision's tensor names, which are the networks' own, and an entry <see cref="MetadataEntry"/> telling
/// the architecture, the class count and the input normalisation the weights expect;</item>
/// <item>a torchvision model's state dict as PyTorch's <c>torch.save</c> writes it (<c>.pt</c>, <c>.pth</c>: the zip
/// archive of PyTorch 1.6 and later, or the older format of torchvision's first checkpoints), read by a restricted reader
/// that accepts only the pickle opcodes and globals of a dict of tensors and runs nothing;</item>
/// <item>the same state dict as a <c>.safetensors</c> file.</item>
/// </list>
/// A bare state dict names no architecture: the torchvision model is told from its tensor names and shapes, and the
/// normalisation is that of torchvision's pretrained weights (ImageNet's; GoogLeNet's <c>transform_input</c>).
/// Reading indexes the tensors without loading them; <see cref="LoadInto"/> checks every name, shape and type against a
/// network before copying anything.
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
    private const int HeaderBytes = 16;
    private const uint ZipSignature = 0x04034B50;  // "PK\x03\x04", little-endian
    private const int MaxNamesListed = 12;
    private const string DataParallelPrefix = "module.";

    private readonly IReadOnlyList<StoredTensor> _entries;
    private readonly Func<string, bool> _mayLack;

    private PretrainedWeights(string filePath, Metadata metadata, IReadOnlyList<StoredTensor> entries, Func<string, bool>? mayLack = null)
    {
        FilePath = filePath;
        Architecture = metadata.Architecture;
        ArchitectureOptions = new Dictionary<string, double>(metadata.Options, StringComparer.OrdinalIgnoreCase);
        ClassCount = metadata.ClassCount;
        Mean = metadata.Mean;
        Std = metadata.Std;
        Source = metadata.Source ?? "";
        _entries = entries;
        _mayLack = mayLack ?? (_ => false);
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

    /// <summary>Where the weights came from, as the converter described it, or the torchvision model a state dict was told to be.</summary>
    public string Source { get; }

    /// <summary>Reads the metadata of a weights file (or tells a bare state dict's architecture) and indexes its tensors.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a weights file or state dict, is truncated, holds anything but
    /// tensors (a pickled model, a foreign global), or its metadata is invalid; the message names the file and the tensor.</exception>
    public static PretrainedWeights Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Weights file {path} does not exist.", path);
        using var stream = File.OpenRead(path);
        var header = new byte[Math.Min(HeaderBytes, stream.Length)];
        stream.ReadExactly(header);
        stream.Position = 0;
        if (header.Length >= 4 && BitConverter.ToUInt32(header) == ZipSignature)
            return ReadZip(path, stream);
        if (TorchSaveFile.IsLegacy(header))
            return FromStateDict(path, TorchSaveFile.IndexLegacy(path, stream));
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase) || SafetensorsFile.LooksLikeOne(header, stream.Length))
            return FromStateDict(path, SafetensorsFile.Index(path, stream));
        return ReadConverted(path, stream);
    }

    private static PretrainedWeights ReadZip(string path, Stream stream)
    {
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path} is a damaged or truncated zip archive: {e.Message}", e);
        }
        using (archive)
        {
            if (TorchSaveFile.PickleEntry(archive) is not { } pickle)
                throw new InvalidDataException($"{path} is a zip archive (a model that train saved?), not a weights file: give a PyTorch state dict (.pt, .pth), " +
                    "a .safetensors file or a file from scripts/convert_torchvision.py.");
            return FromStateDict(path, TorchSaveFile.IndexArchive(path, archive, pickle));
        }
    }

    private static PretrainedWeights FromStateDict(string path, List<StoredTensor> tensors)
    {
        if (tensors.Count > 0 && tensors.All(t => t.Name.StartsWith(DataParallelPrefix, StringComparison.Ordinal)))
            tensors = [.. tensors.Select(t => t with { Name = t.Name[DataParallelPrefix.Length..] })];
        if (tensors.GroupBy(t => t.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidDataException($"{path} holds tensor '{twice.Key}' twice.");
        var model = TorchvisionStateDict.Identify(path, tensors.ToDictionary(t => t.Name, t => t.Shape));
        var metadata = new Metadata
        {
            Format = Format,
            Version = FormatVersion,
            Architecture = model.Architecture,
            Options = new Dictionary<string, double>(model.Options),
            ClassCount = model.ClassCount,
            Mean = [.. model.Mean],
            Std = [.. model.Std],
            Source = $"torchvision {model.TorchvisionModel} state dict ({Path.GetFileName(path)})",
        };
        return new PretrainedWeights(path, metadata, tensors, model.MayLack);
    }

    private static PretrainedWeights ReadConverted(string path, Stream stream)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var entries = new List<StoredTensor>();
        Metadata? metadata = null;
        try
        {
            long count = reader.Read7BitEncodedInt64();
            if (count is < 1 or > MaxEntries)
                throw new InvalidDataException($"{path} declares {count} tensors; it is not a weights file.");
            for (long i = 0; i < count; i++)
            {
                var (entry, byteCount) = ReadEntry(reader, path);
                if (entry.Name == MetadataEntry)
                    metadata = ReadMetadata(reader, entry, byteCount, path);
                else if (entries.Any(e => e.Name == entry.Name))
                    throw new InvalidDataException($"{path} holds tensor '{entry.Name}' twice.");
                else
                    entries.Add(entry);
                stream.Seek(entry.Storage.FileOffset + byteCount, SeekOrigin.Begin);
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} is truncated after {entries.Count} tensors.", e);
        }
        if (metadata is null)
            throw new InvalidDataException($"{path} has no '{MetadataEntry}' entry: write weights files with scripts/convert_torchvision.py, or give a PyTorch state dict (.pt, .pth) or .safetensors file.");
        return new PretrainedWeights(path, metadata, entries);
    }

    /// <summary>The standardisation the weights expect for inputs whose full-intensity pixel is <paramref name="pixelScale"/> (255 for
    /// 8-bit images, 1 for pixels scaled to 0..1).</summary>
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
    /// <exception cref="InvalidDataException">Names every tensor missing from the file, not in the network, or of another shape or type;
    /// nothing is copied then.</exception>
    public void LoadInto(nn.Module network, string target, IReadOnlyCollection<string>? skippedLayers = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        bool Skipped(string name) => skippedLayers?.Any(layer => name == layer || name.StartsWith(layer + ".", StringComparison.Ordinal)) == true;
        var destination = network.state_dict();
        var loaded = _entries.Where(e => !Skipped(e.Name)).ToList();
        var inFile = loaded.Select(e => e.Name).ToHashSet();
        var missing = destination.Keys.Where(name => !Skipped(name) && !_mayLack(name) && !inFile.Contains(name)).ToList();
        var unexpected = loaded.Where(e => !destination.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        var misshaped = loaded.Where(e => destination.TryGetValue(e.Name, out var tensor) && !e.Fits(tensor))
            .Select(e => $"{e.Name} (file {e.Describe()}, network {StoredTensor.Describe(destination[e.Name].dtype, destination[e.Name].shape)})").ToList();
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
        using var archive = _entries.Any(e => e.Storage.ZipEntry is not null) ? new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true) : null;
        foreach (var entry in loaded)
        {
            try
            {
                ReadInto(entry, destination[entry.Name], stream, archive);
            }
            catch (EndOfStreamException e)
            {
                throw new InvalidDataException($"{FilePath} ended while tensor '{entry.Name}' was read: it changed or is truncated.", e);
            }
        }
    }

    /// <summary>Copies a stored tensor's elements into <paramref name="tensor"/>, which has its type and shape.</summary>
    private static void ReadInto(StoredTensor entry, Tensor tensor, FileStream file, ZipArchive? archive)
    {
        long elementSize = StoredTensor.ElementSizes[entry.Type];
        long start = entry.Storage.FileOffset + entry.Offset * elementSize;
        using var entryStream = entry.Storage.ZipEntry is { } name ? archive!.GetEntry(name)!.Open() : null;
        var source = entryStream ?? file;
        if (entryStream is null)
            file.Seek(start, SeekOrigin.Begin);
        else if (entryStream.CanSeek)
            entryStream.Seek(start, SeekOrigin.Begin);
        else
            Skip(entryStream, start);
        if (entry.IsContiguous && tensor.device_type == DeviceType.CPU && tensor.is_contiguous())
        {
            tensor.ReadBytesFromStream(source, ReadBufferBytes);
            return;
        }
        using var elements = empty(entry.Span() ?? 0, entry.Type);
        elements.ReadBytesFromStream(source, ReadBufferBytes);
        using var view = elements.as_strided(entry.Shape, entry.Strides);
        tensor.copy_(view);
    }

    private static void Skip(Stream stream, long bytes)
    {
        var buffer = new byte[Math.Min(bytes, ReadBufferBytes)];
        while (bytes > 0)
        {
            int read = stream.Read(buffer, 0, (int)Math.Min(bytes, buffer.Length));
            if (read == 0)
                throw new EndOfStreamException();
            bytes -= read;
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

    private static (StoredTensor Entry, long ByteCount) ReadEntry(BinaryReader reader, string path)
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
        if (!StoredTensor.ElementSizes.TryGetValue(type, out int elementSize))
            throw new InvalidDataException($"Tensor '{name}' in {path} has element type {type}, which weights files do not use.");
        long offset = reader.BaseStream.Position;
        long byteCount = TensorReader.ByteCountWithin(shape, elementSize, reader.BaseStream.Length - offset)
            ?? throw new InvalidDataException($"{path} is truncated in tensor '{name}' ({StoredTensor.Describe(type, shape)}).");
        return (StoredTensor.Contiguous(name, type, shape, offset), byteCount);
    }

    private static Metadata ReadMetadata(BinaryReader reader, StoredTensor entry, long byteCount, string path)
    {
        if (entry.Type != ScalarType.Byte || entry.Shape.Length != 1 || byteCount > MaxMetadataBytes)
            throw new InvalidDataException($"The '{MetadataEntry}' entry of {path} must be UTF-8 JSON in a one-dimensional uint8 tensor; it is {entry.Describe()}.");
        string json = Encoding.UTF8.GetString(reader.ReadBytes((int)byteCount));
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
}
