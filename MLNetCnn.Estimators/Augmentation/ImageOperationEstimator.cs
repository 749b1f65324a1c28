using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Runtime;
using MLNetCnn.Augmentation;

namespace MLNetCnn.Estimators;

/// <summary>
/// Fits an image stage (augmentation or normalisation) for an ML.NET pipeline and returns an
/// <see cref="ImageOperationTransformer"/>. Created through the catalog methods on <c>mlContext.Transforms</c>
/// (<c>RandomCrop</c>, <c>RandomHorizontalFlip</c>, ..., <c>NormalizeChannels</c>); append random stages with
/// <c>AppendTrainingOnly</c>.
/// </summary>
public sealed class ImageOperationEstimator : IEstimator<ImageOperationTransformer>
{
    private readonly IHost _host;
    private readonly string? _outputColumnName;
    private readonly string? _inputColumnName;
    private readonly string _stage;
    private readonly int? _seed;
    private readonly bool _isRandom;
    private readonly bool _producesPixels;
    private readonly Func<IDataView, ImageColumnBinding, ImageOperation> _fit;

    internal ImageOperationEstimator(IHostEnvironment environment, ImageOperationOptions options, bool isRandom, bool producesPixels,
        Func<IDataView, ImageColumnBinding, ImageOperation> fit)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        if (options.OutputColumnName is not null)
            ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputColumnName, nameof(options.OutputColumnName));
        _host = environment.Register(nameof(ImageOperationEstimator));
        _outputColumnName = options.OutputColumnName;
        _inputColumnName = options.InputColumnName;
        _stage = options.GetType().Name.Replace("Options", "", StringComparison.Ordinal);
        _seed = (options as RandomImageOperationOptions)?.Seed;
        _isRandom = isRandom;
        _producesPixels = producesPixels;
        _fit = fit;
    }

    /// <summary>Creates an estimator for an operation whose parameters do not depend on the data.</summary>
    internal ImageOperationEstimator(IHostEnvironment environment, ImageOperationOptions options, ImageOperation operation)
        : this(environment, options, operation.IsRandom, operation.ProducesPixels, (_, _) => operation)
    {
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var (inputColumnName, outputColumnName) = ImageOperationOptions.Columns(_outputColumnName, _inputColumnName, inputSchema.Select(c => c.Name));
        var input = inputSchema.Where(c => c.Name == inputColumnName).Cast<SchemaShape.Column?>().LastOrDefault()
            ?? throw SchemaErrors.MissingColumn(_stage, "Image", inputColumnName, inputSchema.Select(c => c.Name),
                "set OutputColumnName (in place) or InputColumnName");
        bool isImage = input.Kind == SchemaShape.Column.VectorKind.Scalar && input.ItemType is ImageDataViewType;
        bool isVector = input.Kind == SchemaShape.Column.VectorKind.Vector && input.ItemType == NumberDataViewType.Single;
        if (!isImage && !isVector)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), inputColumnName,
                $"{_stage}: column '{inputColumnName}' holds {input.ItemType}; an image stage needs an image column (LoadImages, ResizeImages) " +
                "or a known-size vector of Single holding CHW pixels (ExtractPixels).");
        }
        bool randomPerPass = _isRandom || input.Annotations.Any(c => c.Name == AnnotationNames.RandomPerPass);
        var annotations = new SchemaShape(randomPerPass
            ? [MlNetBridge.CreateSchemaColumn(AnnotationNames.RandomPerPass, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false)]
            : []);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[outputColumnName] = isImage && _producesPixels
            ? MlNetBridge.CreateSchemaColumn(outputColumnName, SchemaShape.Column.VectorKind.Scalar, new ImageDataViewType(), false, annotations)
            : MlNetBridge.CreateSchemaColumn(outputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, annotations);
        return new SchemaShape(columns.Values);
    }

    /// <summary>Checks the input column, fits the operation's parameters where they come from the data, and returns the
    /// transformer.</summary>
    public ImageOperationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (inputColumnName, outputColumnName) = ImageOperationOptions.Columns(_outputColumnName, _inputColumnName, input.Schema.Where(c => !c.IsHidden).Select(c => c.Name));
        var binding = ImageColumnBinding.Bind(input.Schema, inputColumnName, default, _stage);
        var operation = _fit(input, binding);
        ImageOperationMapper.OutputShapeOf(operation, binding);
        return new ImageOperationTransformer(operation, inputColumnName, outputColumnName, _seed ?? _host.Rand.Next());
    }
}
