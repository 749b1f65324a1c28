using System.CommandLine;
using System.Globalization;
using MLNetCnn.Augmentation;
using MLNetCnn.Estimators;

namespace MLNetCnn.Cli.Commands;

/// <summary>
/// What a training recipe adds to the network, shared by <c>train</c> and <c>compare</c>: test-time augmentation and the
/// architecture family's options (the training-time augmentation stages are <see cref="AugmentationRecipe"/>).
/// </summary>
internal sealed class RecipeFlags : TrainerFlags
{
    private static readonly IReadOnlyDictionary<string, TestTimeAugmentation> TestTimeChoices =
        new Dictionary<string, TestTimeAugmentation>(StringComparer.OrdinalIgnoreCase)
        {
            ["none"] = TestTimeAugmentation.None,
            ["hflip"] = TestTimeAugmentation.HorizontalFlip,
            ["tencrop"] = TestTimeAugmentation.TenCrop,
        };

    private readonly Option<string> _testTime = new("--tta")
    {
        Description = "Test-time augmentation, saved with the model: none; hflip (the mean of each image and its mirror image); tencrop (AlexNet's " +
            "ten crops of the network's input size: four corners, the centre and their mirror images, for images larger than the input).",
        DefaultValueFactory = _ => "none",
    };

    private readonly Option<string[]> _familyOptions = FamilyOptions.Flag();

    protected override IEnumerable<Option> Flags => [_testTime, _familyOptions];

    /// <inheritdoc/>
    public override void ApplyTo(ParseResult parse, CnnClassificationTrainer.Options options)
    {
        string testTime = parse.GetValue(_testTime)!;
        options.TestTimeAugmentation = TestTimeChoices.TryGetValue(testTime, out var choice)
            ? choice
            : throw new ArgumentException($"--tta must be one of {string.Join(", ", TestTimeChoices.Keys)}, not '{testTime}'.");
        foreach (var (name, value) in FamilyOptions.Parse(parse.GetValue(_familyOptions) ?? []))
            options.ArchitectureOptions[name] = value;
    }
}

/// <summary>The architecture family's options as <c>--option name=value</c> gives them (<c>alpha=0.5</c> for mobilenet-v1).</summary>
internal static class FamilyOptions
{
    /// <summary>The repeatable <c>--option</c> flag.</summary>
    public static Option<string[]> Flag() => new("--option")
    {
        Description = "A family option of the architecture as name=value, for example alpha=0.5 (width) for mobilenet-v1; repeatable. " +
            "mlnetcnn summary --arch NAME --option ... shows its effect.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>Reads name=number pairs; a malformed one is an error quoting it.</summary>
    public static Dictionary<string, double> Parse(IEnumerable<string> pairs)
    {
        var parsed = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            {
                throw new ArgumentException($"--option '{pair}' must be name=number, for example alpha=0.5.");
            }
            parsed[parts[0]] = value;
        }
        return parsed;
    }
}
