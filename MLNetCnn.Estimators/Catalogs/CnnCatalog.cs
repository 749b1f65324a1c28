using MLNetCnn;
using MLNetCnn.Estimators;
using MLNetCnn.Training;
using Microsoft.ML.Data;

// In ML.NET's namespace, as ML.NET's own packages put their catalog extensions: no extra using for mlContext.X.
namespace Microsoft.ML;

/// <summary>Adds the CNN classifier to ML.NET's catalogs.</summary>
public static class CnnCatalog
{
    /// <summary>Trains a CNN from the model zoo on images and key labels.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="featureColumnName">An image column or a known-size vector of CHW pixels.</param>
    /// <param name="architecture">A name from <see cref="ModelZoo.Names"/>.</param>
    /// <param name="epochs">Passes over the training data.</param>
    public static CnnClassificationTrainer Cnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = CnnColumnNames.Label, string featureColumnName = CnnColumnNames.Features,
        string architecture = ModelZoo.DefaultArchitecture, int epochs = TrainingOptions.DefaultEpochs) =>
        catalog.Cnn(new CnnClassificationTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = featureColumnName,
            Architecture = architecture,
            Epochs = epochs,
        });

    /// <summary>Trains a CNN from the model zoo with all options; reads <c>Features</c> unless <see
    /// cref="CnnClassificationTrainer.Options.FeatureColumnName"/> is set.</summary>
    public static CnnClassificationTrainer Cnn(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        CnnClassificationTrainer.Options options) =>
        new(MlNetBridge.GetEnvironment(catalog), options);

    /// <summary>
    /// Trains a CNN image classifier; the same estimator as <c>MulticlassClassification.Trainers.Cnn</c>,
    /// reading an image column by default.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="labelColumnName">The key-typed label column.</param>
    /// <param name="imageColumnName">An image column or a known-size vector of CHW pixels.</param>
    /// <param name="architecture">A name from <see cref="ModelZoo.Names"/>.</param>
    /// <param name="epochs">Passes over the training data.</param>
    public static CnnClassificationTrainer CnnClassifier(this TransformsCatalog catalog,
        string labelColumnName = CnnColumnNames.Label, string imageColumnName = CnnColumnNames.Image,
        string architecture = ModelZoo.DefaultArchitecture, int epochs = TrainingOptions.DefaultEpochs) =>
        catalog.CnnClassifier(new CnnClassificationTrainer.Options
        {
            LabelColumnName = labelColumnName,
            FeatureColumnName = imageColumnName,
            Architecture = architecture,
            Epochs = epochs,
        });

    /// <summary>
    /// Turns a fitted CNN into a featurizer: a transform adding the network's penultimate features (<see cref="CnnModel.Embeddings"/>)
    /// as a vector column, to feed any ML.NET trainer (SDCA, LightGBM) or a nearest-neighbour search. The estimator's
    /// <c>Fit</c> learns nothing: it returns <see cref="CnnClassificationTransformer.AsFeaturizer"/> of the classifier.
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="classifier">A fitted CNN classifier (trained, or loaded from a file); it stays the caller's.</param>
    /// <param name="outputColumnName">The embedding column.</param>
    public static CnnFeaturizerEstimator CnnFeaturizer(this TransformsCatalog catalog, CnnClassificationTransformer classifier,
        string outputColumnName = CnnColumnNames.Embedding)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new CnnFeaturizerEstimator(classifier, outputColumnName);
    }

    /// <summary>Trains a CNN image classifier with all options; reads <c>Image</c> unless <see
    /// cref="CnnClassificationTrainer.Options.FeatureColumnName"/> is set.</summary>
    public static CnnClassificationTrainer CnnClassifier(this TransformsCatalog catalog, CnnClassificationTrainer.Options options) =>
        new(MlNetBridge.GetEnvironment(catalog), options, CnnColumnNames.Image);
}
