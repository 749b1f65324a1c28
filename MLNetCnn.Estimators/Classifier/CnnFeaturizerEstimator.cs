using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// The featurizer stage of a fitted CNN (<c>mlContext.Transforms.CnnFeaturizer(classifier)</c>): its <c>Fit</c> returns a
/// copy of the classifier that adds only the embedding column, the network's penultimate features, for the next
/// estimator of a pipeline to train on.
/// </summary>
public sealed class CnnFeaturizerEstimator : IEstimator<CnnClassificationTransformer>
{
    private readonly CnnClassificationTransformer _classifier;
    private readonly string _outputColumnName;

    internal CnnFeaturizerEstimator(CnnClassificationTransformer classifier, string outputColumnName)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        _classifier = classifier;
        _outputColumnName = outputColumnName;
    }

    /// <summary>The featurizer: <see cref="CnnClassificationTransformer.AsFeaturizer"/> of the classifier, after checking the
    /// input.</summary>
    public CnnClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var featurizer = _classifier.AsFeaturizer(_outputColumnName);
        try
        {
            featurizer.GetOutputSchema(input.Schema);
            return featurizer;
        }
        catch
        {
            featurizer.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.Any(c => c.Name == _classifier.FeatureColumnName))
            throw SchemaErrors.MissingColumn(nameof(CnnFeaturizerEstimator), "Image", _classifier.FeatureColumnName, inputSchema.Select(c => c.Name));
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_outputColumnName] = MlNetBridge.CreateSchemaColumn(_outputColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }
}
