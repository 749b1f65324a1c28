namespace MLNetCnn.Data;

/// <summary>
/// CIFAR-10 and CIFAR-100 (Krizhevsky, 2009) in their binary form: 32x32 colour images, one record per
/// image (a label byte, or CIFAR-100's coarse and fine label bytes, then 1024 red, 1024 green and 1024 blue
/// values row by row). CIFAR-100 is read with its 100 fine labels.
/// </summary>
public static class Cifar
{
    /// <summary>The shape of every CIFAR image.</summary>
    public static ImageShape Shape { get; } = new(3, 32, 32);

    /// <summary>The CIFAR-10 class names, indexed by label, as its <c>batches.meta.txt</c> lists them.</summary>
    public static IReadOnlyList<string> Cifar10ClassNames { get; } =
    [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ];

    /// <summary>The bytes of one record of <paramref name="variant"/>: its label bytes and the pixels.</summary>
    public static int RecordSize(CifarVariant variant) => LabelBytes(variant) + Shape.Size;

    /// <summary>The number of classes of <paramref name="variant"/>.</summary>
    public static int ClassCount(CifarVariant variant) => variant == CifarVariant.Cifar10 ? 10 : 100;

    /// <summary>Reads one batch file (for example <c>data_batch_1.bin</c> or CIFAR-100's <c>test.bin</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a whole number of records or holds a label out of range.</exception>
    public static ImageDataset ReadBatch(string path, CifarVariant variant) => ReadBatches([path], variant);

    /// <summary>Reads a batch from a stream; <paramref name="name"/> names it in error messages.</summary>
    public static ImageDataset ReadBatch(Stream stream, string name, CifarVariant variant)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.GetBuffer().AsSpan(0, (int)copy.Length);
        int count = RecordCount(bytes.Length, name, variant);
        var pixels = new float[(long)count * Shape.Size];
        var labels = new int[count];
        Decode(bytes, name, variant, pixels, labels, first: 0);
        return new ImageDataset(Shape, pixels, labels, ClassCount(variant));
    }

    /// <summary>
    /// Reads a split from a folder as the binary archives unpack: CIFAR-10's <c>data_batch_1.bin</c> to
    /// <c>data_batch_5.bin</c> (every one present, in order) and <c>test_batch.bin</c>; CIFAR-100's
    /// <c>train.bin</c> and <c>test.bin</c>.
    /// </summary>
    public static ImageDataset Load(string directory, CifarVariant variant, DataSplit split) =>
        ReadBatches(BatchFiles(directory, variant, split), variant);

    /// <summary>
    /// Which CIFAR a folder holds, judged by its file names (<c>data_batch_1.bin</c> or <c>test_batch.bin</c>
    /// for CIFAR-10, <c>train.bin</c> or <c>test.bin</c> for CIFAR-100); null when neither.
    /// </summary>
    public static CifarVariant? Detect(string directory)
    {
        bool Has(string file) => File.Exists(Path.Combine(directory, file));
        if (Has("data_batch_1.bin") || Has("test_batch.bin"))
            return CifarVariant.Cifar10;
        if (Has("train.bin") || Has("test.bin"))
            return CifarVariant.Cifar100;
        return null;
    }

    /// <summary>
    /// The class names from the folder's <c>batches.meta.txt</c> (CIFAR-10) or <c>fine_label_names.txt</c>
    /// (CIFAR-100), one per line; without that file, CIFAR-10's known names or CIFAR-100's label numbers.
    /// </summary>
    /// <exception cref="InvalidDataException">The names file does not list one name per class.</exception>
    public static IReadOnlyList<string> ClassNames(string directory, CifarVariant variant)
    {
        string file = Path.Combine(directory, variant == CifarVariant.Cifar10 ? "batches.meta.txt" : "fine_label_names.txt");
        if (!File.Exists(file))
        {
            return variant == CifarVariant.Cifar10
                ? Cifar10ClassNames
                : [.. Enumerable.Range(0, ClassCount(variant)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        }
        var names = File.ReadLines(file).Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();
        if (names.Length != ClassCount(variant))
            throw new InvalidDataException($"'{file}' lists {names.Length} class names; {variant} has {ClassCount(variant)} classes.");
        return names;
    }

    private static int LabelBytes(CifarVariant variant) => variant switch
    {
        CifarVariant.Cifar10 => 1,
        CifarVariant.Cifar100 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Expected Cifar10 or Cifar100."),
    };

    private static string[] BatchFiles(string directory, CifarVariant variant, DataSplit split)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"CIFAR data folder '{directory}' does not exist.");
        string[] names = (variant, split) switch
        {
            (CifarVariant.Cifar10, DataSplit.Train) => [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")],
            (CifarVariant.Cifar10, DataSplit.Test) => ["test_batch.bin"],
            (CifarVariant.Cifar100, DataSplit.Train) => ["train.bin"],
            (CifarVariant.Cifar100, DataSplit.Test) => ["test.bin"],
            _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Expected Train or Test."),
        };
        var present = names.Select(n => Path.Combine(directory, n)).Where(File.Exists).ToArray();
        return present.Length > 0
            ? present
            : throw new FileNotFoundException($"Folder '{directory}' has no {variant} {split.ToString().ToLowerInvariant()} batch ({string.Join(" or ", names.Distinct().Take(2))}).");
    }

    private static ImageDataset ReadBatches(IReadOnlyList<string> paths, CifarVariant variant)
    {
        var counts = new int[paths.Count];
        for (int i = 0; i < paths.Count; i++)
        {
            if (!File.Exists(paths[i]))
                throw new FileNotFoundException($"CIFAR batch file '{paths[i]}' does not exist.", paths[i]);
            counts[i] = RecordCount(new FileInfo(paths[i]).Length, paths[i], variant);
        }
        long total = counts.Sum(c => (long)c);
        if (total * Shape.Size > Array.MaxLength)
            throw new InvalidDataException($"The {total} images in {string.Join(", ", paths)} are more than one array can hold.");
        var pixels = new float[total * Shape.Size];
        var labels = new int[total];
        int first = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            var bytes = File.ReadAllBytes(paths[i]);
            if (RecordCount(bytes.Length, paths[i], variant) != counts[i])
                throw new InvalidDataException($"'{paths[i]}' changed while it was read.");
            Decode(bytes, paths[i], variant, pixels, labels, first);
            first += counts[i];
        }
        return new ImageDataset(Shape, pixels, labels, ClassCount(variant));
    }

    private static int RecordCount(long length, string name, CifarVariant variant)
    {
        int recordSize = RecordSize(variant);
        if (length == 0 || length % recordSize != 0)
            throw new InvalidDataException($"'{name}' is {length} bytes, not a whole number of {recordSize}-byte {variant} records: is it truncated, or a batch of the other CIFAR?");
        if (length / recordSize * Shape.Size > Array.MaxLength)
            throw new InvalidDataException($"'{name}' holds {length / recordSize} images, more than one array can hold.");
        return (int)(length / recordSize);
    }

    private static void Decode(ReadOnlySpan<byte> bytes, string name, CifarVariant variant, float[] pixels, int[] labels, int first)
    {
        int labelBytes = LabelBytes(variant);
        int recordSize = labelBytes + Shape.Size;
        int classCount = ClassCount(variant);
        int count = bytes.Length / recordSize;
        for (int record = 0; record < count; record++)
        {
            var source = bytes.Slice(record * recordSize, recordSize);
            int label = source[labelBytes - 1];
            if (label >= classCount)
                throw new InvalidDataException($"Record {record} of '{name}' has label {label}; {variant} labels are 0 to {classCount - 1}.");
            labels[first + record] = label;
            var destination = pixels.AsSpan((first + record) * Shape.Size, Shape.Size);
            var values = source[labelBytes..];
            for (int p = 0; p < values.Length; p++)
                destination[p] = values[p];
        }
    }
}

/// <summary>Which CIFAR data set a binary batch belongs to.</summary>
public enum CifarVariant
{
    /// <summary>CIFAR-10: 10 classes, records of a label byte and 3,072 pixel bytes.</summary>
    Cifar10,

    /// <summary>CIFAR-100: 100 fine classes, records of a coarse and a fine label byte and 3,072 pixel bytes.</summary>
    Cifar100,
}
