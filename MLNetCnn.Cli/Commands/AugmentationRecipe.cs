using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetCnn.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Cli.Commands;

/// <summary>
/// An augmentation recipe as <c>--augment</c> spells it: stage names in the order they run, each with an optional main
/// setting (<c>crop=4,hflip,jitter=0.2</c>). One list serves <c>train</c>, <c>compare</c> and <c>augment-preview</c>.
/// </summary>
internal sealed class AugmentationRecipe
{
    private sealed record Stage(string Setting, string Description, Func<MLContext, ImageShape, double?, IEstimator<ITransformer>> Create,
        Func<double, bool> Accepts);

    private static readonly IReadOnlyDictionary<string, Stage> Stages = new Dictionary<string, Stage>(StringComparer.OrdinalIgnoreCase)
    {
        ["crop"] = new("padding in pixels, default an eighth of the side", "random crop after zero padding",
            (ml, s, v) => ml.Transforms.RandomCrop(s.Height, s.Width, padding: (int?)v ?? Math.Max(1, Math.Min(s.Width, s.Height) / 8)),
            v => v >= 0 && v == Math.Floor(v)),
        ["crop-to"] = new("the crop's side in pixels (required); the network's input becomes that size, so score with --tta tencrop",
            "random crop of a smaller size (AlexNet's 224 of 256)",
            (ml, s, v) => ml.Transforms.RandomCrop((int)v!.Value, (int)v.Value),
            v => v >= 1 && v == Math.Floor(v)),
        ["hflip"] = new("probability, default 0.5", "random horizontal flip",
            (ml, _, v) => ml.Transforms.RandomHorizontalFlip(probability: v ?? 0.5), v => v is >= 0 and <= 1),
        ["vflip"] = new("probability, default 0.5", "random vertical flip",
            (ml, _, v) => ml.Transforms.RandomVerticalFlip(probability: v ?? 0.5), v => v is >= 0 and <= 1),
        ["resized-crop"] = new("smallest share of the area, default 0.35", "random resized crop",
            (ml, s, v) => ml.Transforms.RandomResizedCrop(new RandomResizedCropOptions { Height = s.Height, Width = s.Width, MinScale = v ?? 0.35 }),
            v => v is > 0 and <= 1),
        ["affine"] = new("largest rotation in degrees, default 15 (with shifts up to 10 %, zoom 0.9-1.1, shear up to 10 degrees)",
            "random rotation, shift, zoom and shear",
            (ml, _, v) => ml.Transforms.RandomAffine(degrees: v ?? 15, translate: 0.1, minScale: 0.9, maxScale: 1.1, shear: 10),
            v => v is >= 0 and <= 180),
        ["jitter"] = new("brightness, contrast and saturation amount, default 0.4", "colour jitter",
            (ml, _, v) => ml.Transforms.ColorJitter(v ?? 0.4, v ?? 0.4, v ?? 0.4), v => v is >= 0 and <= 1),
        ["lighting"] = new("standard deviation, default AlexNet's 0.1 (RGB data only)", "AlexNet's PCA lighting noise",
            (ml, _, v) => ml.Transforms.PcaLighting(standardDeviation: v ?? 0.1), v => v is >= 0 and <= 10),
        ["erase"] = new("probability, default 0.5", "random erasing",
            (ml, _, v) => ml.Transforms.RandomErasing(probability: v ?? 0.5), v => v is >= 0 and <= 1),
    };

    private readonly IReadOnlyList<(string Name, double? Value)> _steps;

    private AugmentationRecipe(IReadOnlyList<(string Name, double? Value)> steps) => _steps = steps;

    /// <summary>The stage names with their settings, for <c>--help</c>.</summary>
    public static string Help => string.Join("; ", Stages.Select(s => $"{s.Key} ({s.Value.Description}; =: {s.Value.Setting})"));

    /// <summary>The edge length of the crops <c>crop-to</c> cuts, when the recipe has that stage: it becomes the network's input
    /// size.</summary>
    public int? CropSize => _steps.LastOrDefault(s => s.Name.Equals("crop-to", StringComparison.OrdinalIgnoreCase)).Value is { } size ? (int)size : null;

    /// <summary>Reads a recipe such as <c>crop,hflip,jitter=0.2</c>; an unknown stage or a setting out of range is an error naming
    /// <paramref name="flag"/>.</summary>
    public static AugmentationRecipe Parse(string text, string flag)
    {
        var steps = new List<(string, double?)>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split('=', 2, StringSplitOptions.TrimEntries);
            if (!Stages.TryGetValue(parts[0], out var stage))
                throw new ArgumentException($"{flag}: unknown stage '{parts[0]}'; known: {string.Join(", ", Stages.Keys)}.");
            double? value = null;
            if (parts.Length == 2)
            {
                if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) || !stage.Accepts(parsed))
                    throw new ArgumentException($"{flag}: '{item}' is not a valid setting; {parts[0]} takes {stage.Setting}.");
                value = parsed;
            }
            else if (parts[0].Equals("crop-to", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{flag}: crop-to needs its size, for example crop-to=224.");
            }
            steps.Add((parts[0].ToLowerInvariant(), value));
        }
        if (steps.Count == 0)
            throw new ArgumentException($"{flag} names no stage; known: {string.Join(", ", Stages.Keys)}.");
        return new AugmentationRecipe(steps);
    }

    /// <summary>The stages, in order, for images of <paramref name="shape"/> in the <c>Features</c> column.</summary>
    public IEstimator<ITransformer> Create(MLContext mlContext, ImageShape shape)
    {
        if (CropSize is { } size && (size > shape.Height || size > shape.Width))
            throw new ArgumentException($"--augment: crop-to={size} is larger than the {shape.Width}x{shape.Height} images.");
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        foreach (var (name, value) in _steps)
            chain = chain.Append(Stages[name].Create(mlContext, shape, value));
        return chain;
    }

    /// <summary>The stages in words, for what a command prints.</summary>
    public override string ToString() =>
        string.Join(", then ", _steps.Select(s => s.Value is { } v ? $"{Stages[s.Name].Description} ({s.Name}={v.ToString(CultureInfo.InvariantCulture)})"
            : Stages[s.Name].Description));

    /// <summary>The shape of an image column: an image's (as RGB) or a CHW vector's.</summary>
    public static ImageShape ShapeOf(DataViewSchema.Column column) => column.Type switch
    {
        ImageDataViewType image => new ImageShape(3, image.Height, image.Width),
        VectorDataViewType { Dimensions.Length: 3 } vector => new ImageShape(vector.Dimensions[0], vector.Dimensions[1], vector.Dimensions[2]),
        _ => throw new InvalidDataException($"Column '{column.Name}' holds {column.Type}, not images of a known shape."),
    };
}
