using System.CommandLine;
using MLNetCnn.Estimators;
using MLNetCnn.Training;

namespace MLNetCnn.Cli.Commands;

/// <summary>How training treats imbalanced classes, shared by <c>train</c> and <c>compare</c>: class weights and class-balanced
/// sampling.</summary>
internal sealed class ImbalanceFlags : TrainerFlags
{
    private readonly Option<string?> _classWeights = new("--class-weights")
    {
        Description = "Weights of the classes in the loss: none, balanced (N / (K n_c) from the training counts), or one weight per class " +
            "in class order separated by commas (1,1,10). Default: none.",
    };

    private readonly Option<bool> _balancedSampling = new("--balanced-sampling")
    {
        Description = "Draw each epoch's images class-balanced (a class uniformly, then one of its images, with replacement).",
    };

    protected override IEnumerable<Option> Flags => [_classWeights, _balancedSampling];

    /// <inheritdoc/>
    public override void ApplyTo(ParseResult parse, CnnClassificationTrainer.Options options)
    {
        if (parse.GetValue(_classWeights) is { } weights)
            options.ClassWeights = ClassWeights.Parse(weights);
        options.ClassBalancedSampling = parse.GetValue(_balancedSampling);
    }
}
