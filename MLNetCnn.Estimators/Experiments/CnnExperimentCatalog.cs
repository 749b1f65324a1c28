using MLNetCnn;
using MLNetCnn.Estimators;

// In ML.NET's namespace, as ML.NET's own packages put their catalog extensions: no extra using for mlContext.X.
namespace Microsoft.ML;

/// <summary>
/// Creates CNN comparison experiments from an <see cref="MLContext"/>, as ML.NET AutoML's <c>mlContext.Auto()</c> does:
/// <code>
/// var experiment = mlContext.CreateCnnExperiment(["lenet5", "resnet20", "mobilenet-v1-0.25"], TimeSpan.FromMinutes(10), epochs: 5);
/// using var result = experiment.Execute(train);
/// mlContext.Model.Save(result.BestModel, train.Schema, "best.zip");
/// </code>
/// </summary>
public static class CnnExperimentCatalog
{
    /// <summary>Compares architectures with the same training settings, on a holdout of a fifth of the training data.</summary>
    /// <param name="mlContext">The context whose log receives each trial's progress.</param>
    /// <param name="architectures">Names from <see cref="ModelZoo.Names"/>, tried in this order.</param>
    /// <param name="timeBudget">Wall-clock time for the whole experiment; null for no limit.</param>
    /// <param name="epochs">Passes over the training data in each trial.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="featureColumnName">An image column or a known-size vector of CHW pixels.</param>
    public static CnnExperiment CreateCnnExperiment(this MLContext mlContext, IEnumerable<string> architectures, TimeSpan? timeBudget = null,
        int epochs = 10, string labelColumnName = CnnColumnNames.Label, string featureColumnName = CnnColumnNames.Features)
    {
        ArgumentNullException.ThrowIfNull(architectures);
        return mlContext.CreateCnnExperiment(new CnnExperiment.Options
        {
            Candidates = [.. architectures.Select(name => new CnnCandidate(name))],
            TimeBudget = timeBudget,
            Trainer = new CnnClassificationTrainer.Options { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, Epochs = epochs },
        });
    }

    /// <summary>Creates an experiment with all options: candidates or a search space, budgets, evaluation and the metric.</summary>
    public static CnnExperiment CreateCnnExperiment(this MLContext mlContext, CnnExperiment.Options options) => new(mlContext, options);
}
