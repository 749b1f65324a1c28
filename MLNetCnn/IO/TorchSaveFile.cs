using System.IO.Compression;
using System.Numerics;
using System.Text;
using static TorchSharp.torch;

namespace MLNetCnn.IO;

/// <summary>
/// Indexes the tensors of a state dict that PyTorch's <c>torch.save</c> wrote (<c>.pt</c>, <c>.pth</c>): the zip archive
/// of PyTorch 1.6 and later (a pickle, <c>data.pkl</c>, and one file per storage) or the older format (pickles followed
/// by the storages), read with the restricted <see cref="StateDictPickle"/>. Every storage a tensor views is checked to
/// hold the elements the view spans; nothing is loaded.
/// </summary>
internal static class TorchSaveFile
{
    private const int MaxPickleBytes = 256 << 20;
    private static readonly BigInteger LegacyMagicNumber = BigInteger.Parse("119547037146038801333356");
    private const long LegacyProtocolVersion = 1001;

    /// <summary>Whether <paramref name="header"/>, the first bytes of a file, start PyTorch's format before 1.6 (a pickle of its magic
    /// number).</summary>
    public static bool IsLegacy(ReadOnlySpan<byte> header) => header.StartsWith((byte[])[0x80, 0x02, 0x8A, 0x0A]);

    /// <summary>The pickle of a zip archive that <c>torch.save</c> wrote (<c>ARCHIVE/data.pkl</c>), or null for another zip
    /// archive.</summary>
    public static string? PickleEntry(ZipArchive archive)
    {
        var pickles = archive.Entries.Where(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1).ToList();
        return pickles.Count == 1 ? pickles[0].FullName : null;
    }

    /// <summary>Indexes a zip archive that <c>torch.save</c> wrote.</summary>
    /// <exception cref="InvalidDataException">The archive is not a state dict of tensors, or a tensor's storage is missing or too
    /// short.</exception>
    public static List<StoredTensor> IndexArchive(string path, ZipArchive archive, string pickleEntry)
    {
        string prefix = pickleEntry[..^"data.pkl".Length];
        if (archive.GetEntry(prefix + "byteorder") is { } byteOrder)
        {
            using var text = new StreamReader(byteOrder.Open(), Encoding.ASCII);
            string order = text.ReadToEnd().Trim();
            if (order != "little")
                throw new InvalidDataException($"{path} holds {order}-endian tensors; only little-endian ones are read.");
        }
        var entry = archive.GetEntry(pickleEntry)!;
        if (entry.Length > MaxPickleBytes)
            throw new InvalidDataException($"{path}: its {pickleEntry} is {entry.Length:N0} bytes, more than a state dict's.");
        using var pickle = new MemoryStream(checked((int)entry.Length));
        using (var source = entry.Open())
            source.CopyTo(pickle);
        pickle.Position = 0;
        var views = ReadPickle(path, new BinaryReader(pickle), legacy: false);
        var tensors = new List<StoredTensor>(views.Count);
        foreach (var (name, view) in views)
        {
            string storageEntry = $"{prefix}data/{view.Storage.Key}";
            var data = archive.GetEntry(storageEntry)
                ?? throw new InvalidDataException($"Tensor '{name}' in {path} is stored in {storageEntry}, which the archive does not hold.");
            tensors.Add(Checked(path, name, view, new TensorStorage(storageEntry, 0, data.Length / StoredTensor.ElementSizes[view.Storage.Type])));
        }
        return tensors;
    }

    /// <summary>Indexes a file in PyTorch's format before 1.6.</summary>
    /// <exception cref="InvalidDataException">The file is not a state dict of tensors, or is cut short.</exception>
    public static List<StoredTensor> IndexLegacy(string path, Stream stream)
    {
        var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            if (StateDictPickle.ReadValue(reader) is not BigInteger magic || magic != LegacyMagicNumber)
                throw new InvalidDataException($"{path} is not a file torch.save wrote (its magic number is wrong).");
            if (StateDictPickle.ReadValue(reader) is not LegacyProtocolVersion)
                throw new InvalidDataException($"{path} has a torch.save protocol version other than {LegacyProtocolVersion}.");
            if (StateDictPickle.Lookup(StateDictPickle.ReadValue(reader), "little_endian") is not true)
                throw new InvalidDataException($"{path} holds big-endian tensors; only little-endian ones are read.");
            var views = ReadPickle(path, reader, legacy: true);
            if (StateDictPickle.ReadValue(reader) is not List<object?> keys || keys.Any(k => k is not string))
                throw new InvalidDataException($"{path} does not list its storages after the state dict.");
            var storageTypes = views.Select(v => v.Value.Storage).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.First().Type);
            var storages = new Dictionary<string, TensorStorage>();
            foreach (string key in keys.Cast<string>())
            {
                long elements = reader.ReadInt64();
                if (!storageTypes.TryGetValue(key, out var type))
                    throw new InvalidDataException($"{path} stores a storage '{key}' that no tensor uses.");
                long bytes = elements * StoredTensor.ElementSizes[type];
                if (elements < 0 || bytes / StoredTensor.ElementSizes[type] != elements || bytes > stream.Length - stream.Position)
                    throw new InvalidDataException($"{path} is truncated in storage '{key}' ({elements:N0} {type.ToString().ToLowerInvariant()} elements declared).");
                storages[key] = new TensorStorage(null, stream.Position, elements);
                stream.Seek(bytes, SeekOrigin.Current);
            }
            return [.. views.Select(v => Checked(path, v.Key, v.Value,
                storages.GetValueOrDefault(v.Value.Storage.Key) ?? throw new InvalidDataException($"Tensor '{v.Key}' in {path} is in storage '{v.Value.Storage.Key}', which the file does not hold.")))];
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} is truncated.", e);
        }
    }

    private static List<KeyValuePair<string, StateDictPickle.TensorView>> ReadPickle(string path, BinaryReader reader, bool legacy)
    {
        try
        {
            return StateDictPickle.ReadStateDict(reader, legacy);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{path} is not a state dict that can be read safely: {e.Message}. Save the model's state_dict() (torch.save(model.state_dict(), path)).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path} is truncated in its pickle.", e);
        }
    }

    private static StoredTensor Checked(string path, string name, StateDictPickle.TensorView view, TensorStorage storage)
    {
        var stored = new StoredTensor(name, view.Storage.Type, view.Shape, view.Strides, view.Offset, storage);
        if (view.Storage.Elements > storage.Elements || !(stored.Span() is { } span && span <= storage.Elements - view.Offset))
            throw new InvalidDataException($"Tensor '{name}' in {path} ({stored.Describe()}) reaches past the end of its storage ({storage.Elements:N0} elements): the file is truncated or corrupt.");
        return stored;
    }
}
