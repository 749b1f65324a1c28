using MLNetCnn;
using MLNetCnn.Estimators;
using MLNetCnn.IO;
using MLNetCnn.Onnx;

// In ML.NET's namespace, as ML.NET's own packages put their catalog extensions: no extra using for mlContext.X.
namespace Microsoft.ML;

/// <summary>Saving, loading and exporting fitted pipelines that contain CNN classifiers.</summary>
public static class CnnModelOperations
{
    /// <summary>
    /// Saves a fitted pipeline like <c>mlContext.Model.Save</c>, but atomically: a crash or error part-way
    /// leaves any previous file at <paramref name="path"/> intact and no partial file behind.
    /// </summary>
    public static void SaveAtomically(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        AtomicFile.Write(path, stream => catalog.Save(model, inputSchema, stream));
    }

    /// <summary>
    /// Loads a model file like <c>mlContext.Model.Load</c>, with errors that name the file and give the reason
    /// (ML.NET reports most damage as "Error during class instantiation" with the cause nested inside).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ML.NET model, or is truncated or damaged.</exception>
    public static ITransformer LoadFromFile(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        try
        {
            return catalog.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or InvalidDataException or IOException or ArgumentException
            or System.Reflection.TargetInvocationException)
        {
            throw new InvalidDataException($"Model file '{path}' cannot be loaded: {Cause(e).Message}", e);
        }
    }

    // The library's own reason when there is one (a damaged CNN entry), else the innermost one (a damaged zip).
    private static Exception Cause(Exception error)
    {
        var chain = new List<Exception>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is not System.Reflection.TargetInvocationException)
                chain.Add(e);
        }
        return chain.LastOrDefault(e => e is InvalidDataException) ?? chain.LastOrDefault() ?? error;
    }

    /// <summary>
    /// Writes the CNN classifier of a fitted model (the last one in a pipeline) as an ONNX model that plain ML.NET scores
    /// with <c>mlContext.Transforms.ApplyOnnxModel(path)</c>, or ONNX Runtime directly, without TorchSharp.
    /// </summary>
    /// <remarks>
    /// The ONNX input is named after the classifier's feature column and takes what the classifier reads from it as
    /// (batch, channels, height, width) floats: the column's pixel vector as it is, or for an image column its pixels on
    /// the 0-255 scale in RGB planes, as <c>ExtractPixels</c> gives them with its defaults (for a grey model, the one
    /// luminance plane, 0.299 R + 0.587 G + 0.114 B). The output is named after the score column (<c>Score</c>) and holds the class
    /// probabilities;
    /// the class names are in the model's metadata (see <see cref="OnnxMetadataKeys"/>). The stages before the classifier,
    /// such as <c>LoadImages</c>, <c>ResizeImages</c> or <c>MapValueToKey</c>, are not part of the ONNX model. The
    /// classifier's test-time augmentation is: the graph averages the probabilities of the same views. With ten crops the
    /// input's height and width are free (give <c>ApplyOnnxModel</c> the image size in its <c>shapeDictionary</c>).
    /// </remarks>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="model">A fitted CNN classifier or a pipeline holding one.</param>
    /// <param name="stream">The stream to write the ONNX model to.</param>
    /// <exception cref="ArgumentException">The model holds no CNN classifier.</exception>
    /// <exception cref="NotSupportedException">A layer of the network has no ONNX form; the message names it.</exception>
    public static void ConvertCnnToOnnx(this ModelOperationsCatalog catalog, ITransformer model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var classifier = RequireCnnClassifier(model);
        classifier.Model.ExportToOnnx(stream, OnnxOptions(classifier));
    }

    /// <summary>
    /// Writes the CNN classifier of a fitted model as an ONNX model file, atomically; see
    /// <see cref="ConvertCnnToOnnx(ModelOperationsCatalog, ITransformer, Stream)"/>.
    /// </summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="model">A fitted CNN classifier or a pipeline holding one.</param>
    /// <param name="path">The file to write, conventionally with the extension <c>.onnx</c>.</param>
    /// <exception cref="ArgumentException">The model holds no CNN classifier.</exception>
    /// <exception cref="NotSupportedException">A layer of the network has no ONNX form; the message names it.</exception>
    public static void ConvertCnnToOnnx(this ModelOperationsCatalog catalog, ITransformer model, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var classifier = RequireCnnClassifier(model);
        classifier.Model.ExportToOnnx(path, OnnxOptions(classifier));
    }

    /// <summary>The CNN classifier of a fitted model: the model itself, or the last one in a pipeline; null when there is none.</summary>
    public static CnnClassificationTransformer? FindCnnClassifier(ITransformer model) => model switch
    {
        CnnClassificationTransformer classifier => classifier,
        IEnumerable<ITransformer> chain => chain.Select(FindCnnClassifier).LastOrDefault(found => found is not null),
        _ => null,
    };

    private static CnnClassificationTransformer RequireCnnClassifier(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return FindCnnClassifier(model) ?? throw new ArgumentException($"The model ({model.GetType().Name}) holds no MLNetCnn CNN classifier to export.", nameof(model));
    }

    private static OnnxExportOptions OnnxOptions(CnnClassificationTransformer classifier) => new()
    {
        InputName = classifier.FeatureColumnName,
        OutputName = classifier.ScoreColumnName,
        ClassNames = classifier.ClassNames,
        TestTimeAugmentation = classifier.TestTimeAugmentation,
    };
}
