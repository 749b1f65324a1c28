namespace MLNetCnn.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017; Zalando Research, MIT licence): 28x28 grey images of
/// ten kinds of clothing. A class-balanced subset ships inside this library (6,000 training and 1,000 test
/// images) so that examples and tests need no download; the full set reads from IDX files.
/// </summary>
public static class FashionMnist
{
    /// <summary>The ten class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];

    /// <summary>The embedded subset: 600 training images per class, or 100 test images per class.</summary>
    public static ImageDataset LoadEmbedded(DataSplit split)
    {
        string prefix = Prefix(split);
        using var images = OpenResource($"{prefix}-images-idx3-ubyte.gz");
        using var labels = OpenResource($"{prefix}-labels-idx1-ubyte.gz");
        return IdxReader.ReadDataset(images, $"embedded {prefix} images", labels, $"embedded {prefix} labels", ClassNames.Count);
    }

    /// <summary>
    /// Reads a split from a folder holding the standard file names (<c>train-images-idx3-ubyte</c>,
    /// <c>t10k-labels-idx1-ubyte.gz</c> and so on, compressed or not), as Debian's
    /// <c>dataset-fashion-mnist</c> installs them in <c>/usr/share/datasets/fashion-mnist</c>.
    /// MNIST folders read the same way.
    /// </summary>
    public static ImageDataset Load(string directory, DataSplit split)
    {
        string prefix = Prefix(split);
        return IdxReader.ReadDataset(
            FindIdxFile(directory, $"{prefix}-images-idx3-ubyte"),
            FindIdxFile(directory, $"{prefix}-labels-idx1-ubyte"),
            ClassNames.Count);
    }

    private static string Prefix(DataSplit split) => split switch
    {
        DataSplit.Train => "train",
        DataSplit.Test => "t10k",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Expected Train or Test."),
    };

    private static string FindIdxFile(string directory, string baseName)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"IDX data folder '{directory}' does not exist.");
        foreach (var candidate in new[] { baseName, baseName + ".gz" }.Select(n => Path.Combine(directory, n)))
        {
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"Folder '{directory}' has neither '{baseName}' nor '{baseName}.gz'.");
    }

    private static Stream OpenResource(string fileName)
    {
        string name = $"MLNetCnn.Data.Embedded.{fileName}";
        var source = typeof(FashionMnist).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from {typeof(FashionMnist).Assembly.GetName().Name}.");
        var copy = new MemoryStream();
        using (source)
            source.CopyTo(copy);
        copy.Position = 0;
        return copy;
    }
}

/// <summary>Which part of a data set to read.</summary>
public enum DataSplit
{
    /// <summary>The training images.</summary>
    Train,

    /// <summary>The test images.</summary>
    Test,
}
