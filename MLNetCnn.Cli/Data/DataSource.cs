using Microsoft.ML;
using MLNetCnn.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Cli.Data;

/// <summary>
/// A labelled data set named on the command line, in any format the tool reads: MNIST-style IDX files, CIFAR-10
/// or CIFAR-100 binary batches, a folder with one subfolder per class, or a CSV/TSV list of image paths and
/// labels. Every format loads as a data view with a text <c>Label</c> and the images in the requested column.
/// </summary>
internal abstract class DataSource
{
    /// <summary>Says what the data is, for consoles and reports.</summary>
    public abstract string Description { get; }

    /// <summary>Whether the data comes split into training and test sets.</summary>
    public abstract bool HasSplits { get; }

    /// <summary>The class names in their canonical order, when the format gives them; null for image files (sorted order).</summary>
    public virtual IReadOnlyList<string>? ClassNames => null;

    /// <summary>Whether the images are files, resized to the requested size (rather than arrays of a fixed shape).</summary>
    public abstract bool IsImageFiles { get; }

    /// <summary>The rows of <paramref name="split"/>, or every row when the data has no splits.</summary>
    public abstract IDataView Load(MLContext mlContext, DataSplit split, ImageRequest request);

    /// <summary>The rows of the data's own validation split (an image folder's <c>val/</c>), or null when it has none.</summary>
    public virtual IDataView? LoadValidation(MLContext mlContext, ImageRequest request) => null;

    /// <summary>
    /// Recognises the data at <paramref name="path"/>; null means the embedded Fashion-MNIST subset.
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at the path.</exception>
    /// <exception cref="InvalidDataException">The path holds no data set in a known format.</exception>
    public static DataSource Open(string? path)
    {
        if (path is null)
        {
            return new ArraySource("the embedded Fashion-MNIST subset", hasSplits: true, FashionMnist.ClassNames,
                split => FashionMnist.LoadEmbedded(split));
        }
        if (File.Exists(path))
            return OpenFile(path);
        if (!Directory.Exists(path))
            throw new FileNotFoundException($"Data '{path}' does not exist.", path);
        if (File.Exists(Path.Combine(path, "train-images-idx3-ubyte")) || File.Exists(Path.Combine(path, "train-images-idx3-ubyte.gz"))
            || File.Exists(Path.Combine(path, "t10k-images-idx3-ubyte")) || File.Exists(Path.Combine(path, "t10k-images-idx3-ubyte.gz")))
        {
            // IDX files do not name their classes: a folder named like Fashion-MNIST's gets its class names, any other digits.
            bool fashion = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path))).Contains("fashion", StringComparison.OrdinalIgnoreCase);
            var names = fashion ? FashionMnist.ClassNames : [.. Enumerable.Range(0, FashionMnist.ClassNames.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            return new ArraySource($"the IDX files in '{path}' ({(fashion ? "Fashion-MNIST class names" : "classes 0 to 9")})", hasSplits: true, names,
                split => FashionMnist.Load(path, split));
        }
        if (Cifar.Detect(path) is { } variant)
        {
            return new ArraySource($"the {variant} batches in '{path}'", hasSplits: true, Cifar.ClassNames(path, variant),
                split => Cifar.Load(path, variant, split));
        }
        return ImageFolderSource.Find(path);
    }

    private static DataSource OpenFile(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".csv" or ".tsv" or ".txt")
            return new ImageListSource(path);
        if (extension == ".bin")
        {
            var variant = CifarVariantOf(path);
            string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            return new ArraySource($"the {variant} batch '{path}'", hasSplits: false, Cifar.ClassNames(folder, variant),
                _ => Cifar.ReadBatch(path, variant));
        }
        throw new InvalidDataException(
            $"'{path}' is not a data set mlnetcnn reads: give a CIFAR batch (.bin), an image list (.csv or .tsv of path,label), " +
            "or a folder of IDX files, CIFAR batches, or one subfolder of images per class.");
    }

    private static CifarVariant CifarVariantOf(string path)
    {
        long length = new FileInfo(path).Length;
        var fits = Enum.GetValues<CifarVariant>().Where(v => length > 0 && length % Cifar.RecordSize(v) == 0).ToArray();
        return fits.Length == 1
            ? fits[0]
            : throw new InvalidDataException($"'{path}' is {length} bytes: not a whole number of CIFAR-10 ({Cifar.RecordSize(CifarVariant.Cifar10)}-byte) " +
                $"or CIFAR-100 ({Cifar.RecordSize(CifarVariant.Cifar100)}-byte) records{(fits.Length > 1 ? ", or both" : "")}.");
    }

    /// <summary>Images held as arrays of one shape (IDX, CIFAR, the embedded subset).</summary>
    private sealed class ArraySource(string description, bool hasSplits, IReadOnlyList<string> classNames, Func<DataSplit, ImageDataset> read) : DataSource
    {
        public override string Description => description;

        public override bool HasSplits => hasSplits;

        public override bool IsImageFiles => false;

        public override IReadOnlyList<string>? ClassNames => classNames;

        public override IDataView Load(MLContext mlContext, DataSplit split, ImageRequest request)
        {
            var data = mlContext.Data.LoadFromImageDataset(read(split), classNames);
            return request.Column == CnnColumnNames.Features
                ? data
                : mlContext.Transforms.CopyColumns(request.Column, CnnColumnNames.Features).Fit(data).Transform(data);
        }
    }

    /// <summary>
    /// A folder with one subfolder per class, or with split folders laid out so: <c>train</c> and <c>test</c>, and
    /// optionally <c>val</c> or <c>validation</c>. A folder that mixes split folders with others is refused.
    /// </summary>
    private sealed class ImageFolderSource(string path, string? trainFolder, string? testFolder, string? validationFolder) : DataSource
    {
        private const string Layout = "lay it out either as one subfolder per class, or as train/ and test/ (and optionally val/ or validation/) " +
            "each holding one subfolder per class";

        private static readonly string[] SplitNames = ["train", "test", "val", "validation"];

        public override string Description => $"the image folder '{path}'";

        public override bool HasSplits => trainFolder is not null;

        public override bool IsImageFiles => true;

        public static ImageFolderSource Find(string path)
        {
            var folders = Directory.GetDirectories(path).Order(StringComparer.Ordinal).ToArray();
            var splits = folders.Where(f => SplitNames.Contains(Path.GetFileName(f), StringComparer.OrdinalIgnoreCase)).ToArray();
            if (splits.Length == 0)
                return new ImageFolderSource(path, null, null, null);
            string? Split(params string[] names) =>
                splits.SingleOrDefault(f => names.Contains(Path.GetFileName(f), StringComparer.OrdinalIgnoreCase));
            var others = folders.Except(splits).Select(Path.GetFileName).ToArray();
            var validations = splits.Count(f => Path.GetFileName(f).StartsWith("val", StringComparison.OrdinalIgnoreCase));
            var (train, test) = (Split("train"), Split("test"));
            string? problem = others.Length > 0 ? $"it holds the split folders {Names(splits)} beside other folders ({string.Join(", ", others)})"
                : train is null || test is null ? $"it holds {Names(splits)} but not both train/ and test/"
                : validations > 1 ? "it holds both val/ and validation/"
                : null;
            return problem is null
                ? new ImageFolderSource(path, train, test, Split("val", "validation"))
                : throw new InvalidDataException($"Image folder '{path}' is ambiguous: {problem}; {Layout}.");
        }

        public override IDataView Load(MLContext mlContext, DataSplit split, ImageRequest request) =>
            mlContext.Data.LoadImageFolder((split == DataSplit.Train ? trainFolder : testFolder) ?? path, request.ImageFileOptions());

        public override IDataView? LoadValidation(MLContext mlContext, ImageRequest request) =>
            validationFolder is null ? null : mlContext.Data.LoadImageFolder(validationFolder, request.ImageFileOptions());

        private static string Names(IEnumerable<string> folders) => string.Join(", ", folders.Select(f => Path.GetFileName(f) + "/"));
    }

    /// <summary>A CSV or TSV list of image paths and labels.</summary>
    private sealed class ImageListSource(string path) : DataSource
    {
        public override string Description => $"the image list '{path}'";

        public override bool HasSplits => false;

        public override bool IsImageFiles => true;

        public override IDataView Load(MLContext mlContext, DataSplit split, ImageRequest request) =>
            mlContext.Data.LoadImageList(path, request.ImageFileOptions());
    }
}
