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
    private readonly string _inputColumnName;
    private readonly string _outputColumnName;
    private readonly int? _seed;
    private readonly bool _isRandom;
    private readonly bool _producesPixels;
    private readonly Func<IDataView, ImageColumnBinding, ImageOperation> _fit;

    internal ImageOperationEstimator(IHostEnvironment environment, ImageOperationOptions options, bool isRandom, bool producesPixels,
        Func<IDataView, ImageColumnBinding, ImageOperation> fit)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputColumnName, nameof(options.OutputColumnName));
        _host = environment.Register(nameof(ImageOperationEstimator));
        _inputColumnName = options.InputColumn;
        _outputColumnName = options.OutputColumnName;
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
        var input = inputSchema.Where(c => c.Name == _inputColumnName).Cast<SchemaShape.Column?>().LastOrDefault()
            ?? throw new ArgumentOutOfRangeException(nameof(inputSchema), _inputColumnName, $"Image column '{_inputColumnName}' was not found.");
        bool isImage = input.Kind == SchemaShape.Column.VectorKind.Scalar && input.ItemType is ImageDataViewType;
        bool isVector = input.Kind == SchemaShape.Column.VectorKind.Vector && input.ItemType == NumberDataViewType.Single;
        if (!isImage && !isVector)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSchema), _inputColumnName,
                $"Column '{_inputColumnName}' holds {input.ItemType}; an image stage needs an image column (LoadImages, ResizeImages) " +
                "or a known-size vector of Single holding CHW pixels (ExtractPixels).");
        }
        bool randomPerPass = _isRandom || input.Annotations.Any(c => c.Name == AnnotationNames.RandomPerPass);
        var annotations = new SchemaShape(randomPerPass
            ? [MlNetBridge.CreateSchemaColumn(AnnotationNames.RandomPerPass, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false)]
            : []);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_outputColumnName] = isImage && _producesPixels
            ? MlNetBridge.CreateSchemaColumn(_outputColumnName, SchemaShape.Column.VectorKind.Scalar, new ImageDataViewType(), false, annotations)
            : MlNetBridge.CreateSchemaColumn(_outputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false, annotations);
        return new SchemaShape(columns.Values);
    }

    /// <summary>Checks the input column, fits the operation's parameters where they come from the data, and returns the transformer.</summary>
    public ImageOperationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var binding = ImageColumnBinding.Bind(input.Schema, _inputColumnName, default);
        var operation = _fit(input, binding);
        ImageOperationMapper.OutputShapeOf(operation, binding);
        return new ImageOperationTransformer(operation, _inputColumnName, _outputColumnName, _seed ?? _host.Rand.Next());
    }
}
