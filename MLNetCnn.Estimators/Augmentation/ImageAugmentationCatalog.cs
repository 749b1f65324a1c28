using MLNetCnn;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Training;
using Microsoft.ML.Data;

// In ML.NET's namespace, as ML.NET's own packages put their catalog extensions: no extra using for mlContext.X.
namespace Microsoft.ML;

/// <summary>
/// Image augmentation and normalisation stages on <c>mlContext.Transforms</c>. Each works on an <c>MLImage</c>
/// column of fixed size or a CHW pixel vector with a known shape, in place by default. Append random stages with
/// <c>AppendTrainingOnly</c>, so that a fitted model never augments when it scores:
/// <code>
/// var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
///     .AppendTrainingOnly(mlContext.Transforms.RandomCrop(32, 32, padding: 4))
///     .AppendTrainingOnly(mlContext.Transforms.RandomHorizontalFlip())
///     .Append(mlContext.MulticlassClassification.Trainers.Cnn());
/// </code>
/// </summary>
public static class ImageAugmentationCatalog
{
    /// <summary>
    /// Appends <paramref name="estimator"/> as a training-only stage (ML.NET's <see cref="TransformerScope.Training"/>):
    /// the pipeline's trainers see its output while fitting, and the fitted model's <c>Transform</c> skips it, also
    /// after <c>mlContext.Model.Save</c> and <c>Load</c>. A training-only stage should write in place, since scoring
    /// data never gets its output column.
    /// </summary>
    public static EstimatorChain<TTransformer> AppendTrainingOnly<TTransformer>(this IEstimator<ITransformer> start, IEstimator<TTransformer> estimator)
        where TTransformer : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(estimator);
        return start.Append(estimator, TransformerScope.Training);
    }

    /// <summary>Appends <paramref name="estimator"/> to a chain as a training-only stage, keeping the chain flat.</summary>
    /// <inheritdoc cref="AppendTrainingOnly{TTransformer}(IEstimator{ITransformer}, IEstimator{TTransformer})"/>
    public static EstimatorChain<TTransformer> AppendTrainingOnly<TLast, TTransformer>(this EstimatorChain<TLast> start, IEstimator<TTransformer> estimator)
        where TLast : class, ITransformer
        where TTransformer : class, ITransformer
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(estimator);
        return start.Append(estimator, TransformerScope.Training);
    }

    /// <summary>A fixed-size crop at a uniformly random place, after padding every side with <paramref name="padding"/> zeros.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="height">Height of the crop.</param>
    /// <param name="width">Width of the crop.</param>
    /// <param name="padding">Zeros added on each side before cropping (the CIFAR recipe: 4, with 32x32 crops of 32x32 images).</param>
    /// <param name="outputColumnName">The column written; null: in place on <c>Image</c> when the data has it, else
    /// <c>Features</c>.</param>
    /// <param name="inputColumnName">The column read; null works in place.</param>
    public static ImageOperationEstimator RandomCrop(this TransformsCatalog catalog, int height, int width, int padding = 0,
        string? outputColumnName = null, string? inputColumnName = null) =>
        catalog.RandomCrop(new RandomCropOptions { Height = height, Width = width, Padding = padding, OutputColumnName = outputColumnName, InputColumnName = inputColumnName });

    /// <summary>A fixed-size crop at a uniformly random place after zero padding, with all options.</summary>
    public static ImageOperationEstimator RandomCrop(this TransformsCatalog catalog, RandomCropOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(catalog, options, new MLNetCnn.Augmentation.RandomCrop(options.Height, options.Width, options.Padding));
    }

    /// <summary>Mirrors images left to right with probability <paramref name="probability"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The column written; null: in place on <c>Image</c> when the data has it, else
    /// <c>Features</c>.</param>
    /// <param name="inputColumnName">The column read; null works in place.</param>
    /// <param name="probability">The chance that an image is mirrored.</param>
    public static ImageOperationEstimator RandomHorizontalFlip(this TransformsCatalog catalog, string? outputColumnName = null,
        string? inputColumnName = null, double probability = 0.5) =>
        catalog.RandomHorizontalFlip(new RandomFlipOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Probability = probability });

    /// <summary>Mirrors images left to right at random, with all options.</summary>
    public static ImageOperationEstimator RandomHorizontalFlip(this TransformsCatalog catalog, RandomFlipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(catalog, options, new RandomFlip(FlipAxis.Horizontal, options.Probability));
    }

    /// <summary>Mirrors images top to bottom with probability <paramref name="probability"/>.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The column written; null: in place on <c>Image</c> when the data has it, else
    /// <c>Features</c>.</param>
    /// <param name="inputColumnName">The column read; null works in place.</param>
    /// <param name="probability">The chance that an image is mirrored.</param>
    public static ImageOperationEstimator RandomVerticalFlip(this TransformsCatalog catalog, string? outputColumnName = null,
        string? inputColumnName = null, double probability = 0.5) =>
        catalog.RandomVerticalFlip(new RandomFlipOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName, Probability = probability });

    /// <summary>Mirrors images top to bottom at random, with all options.</summary>
    public static ImageOperationEstimator RandomVerticalFlip(this TransformsCatalog catalog, RandomFlipOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(catalog, options, new RandomFlip(FlipAxis.Vertical, options.Probability));
    }

    /// <summary>
    /// Crops a random region (8 % to 100 % of the area, aspect ratio 3:4 to 4:3) and resizes it bilinearly to
    /// <paramref name="height"/> x <paramref name="width"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="height">Height of the result.</param>
    /// <param name="width">Width of the result.</param>
    /// <param name="outputColumnName">The column written; null: in place on <c>Image</c> when the data has it, else
    /// <c>Features</c>.</param>
    /// <param name="inputColumnName">The column read; null works in place.</param>
    public static ImageOperationEstimator RandomResizedCrop(this TransformsCatalog catalog, int height, int width,
        string? outputColumnName = null, string? inputColumnName = null) =>
        catalog.RandomResizedCrop(new RandomResizedCropOptions { Height = height, Width = width, OutputColumnName = outputColumnName, InputColumnName = inputColumnName });

    /// <summary>Crops a random region and resizes it to a fixed size, with all options.</summary>
    public static ImageOperationEstimator RandomResizedCrop(this TransformsCatalog catalog, RandomResizedCropOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(catalog, options, new MLNetCnn.Augmentation.RandomResizedCrop(options.Height, options.Width,
            options.MinScale, options.MaxScale, options.MinRatio, options.MaxRatio));
    }

    /// <summary>Random rotation, translation, zoom and shear about the image centre (LeNet's "distorted training data").</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="degrees">Largest rotation either way, in degrees.</param>
    /// <param name="translate">Largest shift either way, as a fraction of the width and height.</param>
    /// <param name="minScale">Smallest zoom factor.</param>
    /// <param name="maxScale">Largest zoom factor.</param>
    /// <param name="shear">Largest horizontal shear either way, in degrees.</param>
    /// <param name="outputColumnName">The column written; null: in place on <c>Image</c> when the data has it, else
    /// <c>Features</c>.</param>
    /// <param name="inputColumnName">The column read; null works in place.</param>
    public static ImageOperationEstimator RandomAffine(this TransformsCatalog catalog, double degrees = 0, double translate = 0, double minScale = 1,
        double maxScale = 1, double shear = 0, string? outputColumnName = null, string? inputColumnName = null) =>
        catalog.RandomAffine(new RandomAffineOptions
        {
            Degrees = degrees, Translate = translate, MinScale = minScale, MaxScale = maxScale, Shear = shear,
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName,
        });

    /// <summary>Random affine distortions, with all options.</summary>
    public static ImageOperationEstimator RandomAffine(this TransformsCatalog catalog, RandomAffineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(catalog, options, new MLNetCnn.Augmentation.RandomAffine(options.Degrees, options.Translate, options.MinScale, options.MaxScale, options.Shear));
    }

    /// <summary>Random changes of brightness, contrast and saturation, each factor uniform in [max(0, 1 - amount), 1 + amount].</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="brightness">How far the brightness factor strays from 1.</param>
    /// <param name="contrast">How far the contrast factor strays from 1.</param>
    /// <param name="saturation">How far the saturation factor strays from 1.</param>
    /// <param name="outputColumnName">The column written; null: in place on <c>Image</c> when the data has it, else
    /// <c>Features</c>.</param>
    /// <param name="inputColumnName">The column read; null works in place.</param>
    public static ImageOperationEstimator ColorJitter(this TransformsCatalog catalog, double brightness = 0, double contrast = 0, double saturation = 0,
        string? outputColumnName = null, string? inputColumnName = null) =>
        catalog.ColorJitter(new ColorJitterOptions
        {
            Brightness = brightness, Contrast = contrast, Saturation = saturation, OutputColumnName = outputColumnName, InputColumnName = inputColumnName,
        });

    /// <summary>Random changes of brightness, contrast and saturation, with all options.</summary>
    public static ImageOperationEstimator ColorJitter(this TransformsCatalog catalog, ColorJitterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(catalog, options, new MLNetCnn.Augmentation.ColorJitter(options.Brightness, options.Contrast, options.Saturation));
    }

    /// <summary>
    /// AlexNet's lighting noise on RGB images, along the principal components of the training pixels' colours
    /// (fitted when the stage is fitted).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="standardDeviation">Spread of the random weight of each component (AlexNet: 0.1).</param>
    /// <param name="outputColumnName">The column written; null: in place on <c>Image</c> when the data has it, else
    /// <c>Features</c>.</param>
    /// <param name="inputColumnName">The column read; null works in place.</param>
    public static ImageOperationEstimator PcaLighting(this TransformsCatalog catalog, double standardDeviation = 0.1,
        string? outputColumnName = null, string? inputColumnName = null) =>
        catalog.PcaLighting(new PcaLightingOptions { StandardDeviation = standardDeviation, OutputColumnName = outputColumnName, InputColumnName = inputColumnName });

    /// <summary>AlexNet's lighting noise, with all options (given components, or fitted to the data).</summary>
    public static ImageOperationEstimator PcaLighting(this TransformsCatalog catalog, PcaLightingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if ((options.ComponentScales is null) != (options.Components is null))
            throw new ArgumentException("PcaLighting: give both ComponentScales and Components, or neither to fit them to the data.", nameof(options));
        if (options.ComponentScales is { } scales && options.Components is { } components)
            return Create(catalog, options, new MLNetCnn.Augmentation.PcaLighting(options.StandardDeviation, scales, components));
        double standardDeviation = options.StandardDeviation;
        if (!double.IsFinite(standardDeviation) || standardDeviation < 0)
            throw new ArgumentOutOfRangeException(nameof(options), standardDeviation, "PcaLighting: StandardDeviation must be finite and not negative.");
        return new ImageOperationEstimator(MlNetBridge.GetEnvironment(catalog), options, isRandom: true, producesPixels: true,
            (data, binding) => MLNetCnn.Augmentation.PcaLighting.FromStatistics(ImageStatisticsReader.Read(data, binding), standardDeviation));
    }

    /// <summary>With probability <paramref name="probability"/>, fills a random rectangle (2 % to 33 % of the area) with zeros.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="probability">The chance that an image gets a rectangle erased.</param>
    /// <param name="outputColumnName">The column written; null: in place on <c>Image</c> when the data has it, else
    /// <c>Features</c>.</param>
    /// <param name="inputColumnName">The column read; null works in place.</param>
    public static ImageOperationEstimator RandomErasing(this TransformsCatalog catalog, double probability = 0.5,
        string? outputColumnName = null, string? inputColumnName = null) =>
        catalog.RandomErasing(new RandomErasingOptions { Probability = probability, OutputColumnName = outputColumnName, InputColumnName = inputColumnName });

    /// <summary>Random erasing, with all options.</summary>
    public static ImageOperationEstimator RandomErasing(this TransformsCatalog catalog, RandomErasingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Create(catalog, options, new MLNetCnn.Augmentation.RandomErasing(options.Probability, options.MinScale, options.MaxScale,
            options.MinRatio, options.MaxRatio, options.FillValue, options.RandomFill));
    }

    /// <summary>
    /// Standardises each channel, <c>(x - mean) / std</c>, with the training data's mean and standard deviation per
    /// channel; deterministic and part of the model. Writes a CHW vector of <see cref="float"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The column written; null: in place on <c>Image</c> when the data has it, else
    /// <c>Features</c>.</param>
    /// <param name="inputColumnName">The column read; null works in place.</param>
    public static ImageOperationEstimator NormalizeChannels(this TransformsCatalog catalog, string? outputColumnName = null,
        string? inputColumnName = null) =>
        catalog.NormalizeChannels(new NormalizeChannelsOptions { OutputColumnName = outputColumnName, InputColumnName = inputColumnName });

    /// <summary>Standardises each channel with given or fitted means and standard deviations, with all options.</summary>
    public static ImageOperationEstimator NormalizeChannels(this TransformsCatalog catalog, NormalizeChannelsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if ((options.Mean is null) != (options.Std is null))
            throw new ArgumentException("NormalizeChannels: give both Mean and Std, or neither to fit them to the data.", nameof(options));
        if (options.Mean is { } mean && options.Std is { } std)
            return Create(catalog, options, new ChannelNormalization(new InputNormalization([.. mean], [.. std])));
        return new ImageOperationEstimator(MlNetBridge.GetEnvironment(catalog), options, isRandom: false, producesPixels: false,
            (data, binding) => new ChannelNormalization(InputNormalization.FromStatistics(ImageStatisticsReader.Read(data, binding))));
    }

    private static ImageOperationEstimator Create(TransformsCatalog catalog, ImageOperationOptions options, ImageOperation operation) =>
        new(MlNetBridge.GetEnvironment(catalog), options, operation);
}
