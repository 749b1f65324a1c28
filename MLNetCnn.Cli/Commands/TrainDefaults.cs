using System.Globalization;
using MLNetCnn.Estimators;
using MLNetCnn.Training;

namespace MLNetCnn.Cli.Commands;

/// <summary>
/// What <c>train</c> does unless told otherwise: it trains ResNet-8, the 6n+2 CIFAR ResNet with n = 1 (and <c>lr-find</c> tries it),
/// with its measured recipe: 6 epochs, a one-cycle schedule peaking at 0.005 (Adam, batch 64). On the full Fashion-MNIST that reached
/// 92.0 to 92.4 % on the test split in 2 to 7 minutes on 2 cores, where LeNet-5 with the trainer's defaults reached 89.8 %
/// (BENCHMARKS.md, "Accuracy"). Other architectures, and fine-tuning <c>--weights</c>, keep the trainer's defaults (a constant 0.001
/// for 10 epochs): a one-cycle peak fit for ResNet-8 from scratch is not one for AlexNet, and would undo pretrained weights.
/// </summary>
internal static class TrainDefaults
{
    /// <summary>The architecture <c>train</c> and <c>lr-find</c> use when none is named.</summary>
    public const string Architecture = "resnet8";

    /// <summary>The recipe of <see cref="Architecture"/> from scratch, behind the defaults of <c>train</c>'s flags.</summary>
    public static CnnClassificationTrainer.Options Recipe { get; } = new()
    {
        Architecture = Architecture,
        Epochs = 6,
        Schedule = ScheduleKind.OneCycle,
        LearningRate = 0.005,
    };

    /// <summary>The defaults for every other run: the trainer's.</summary>
    public static CnnClassificationTrainer.Options Otherwise => CommonOptions.TrainerDefaults;

    /// <summary>
    /// The defaults for training <paramref name="architecture"/> (null: the default one) from <paramref name="weightsFile"/>
    /// (null: from scratch).
    /// </summary>
    public static CnnClassificationTrainer.Options For(string? architecture, string? weightsFile) =>
        weightsFile is null && string.Equals(architecture ?? Architecture, Architecture, StringComparison.OrdinalIgnoreCase)
            ? Recipe
            : Otherwise;

    /// <summary>How a flag's help states its two defaults: "<c>recipe</c> for resnet8 from scratch, else <c>otherwise</c>".</summary>
    public static string Describe(object recipe, object otherwise) =>
        string.Create(CultureInfo.InvariantCulture, $"{recipe} for {Architecture} from scratch, else {otherwise}").ToLowerInvariant();
}
