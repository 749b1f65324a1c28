using Microsoft.ML;
using MLNetCnn.Estimators;

namespace MLNetCnn.Cli;

/// <summary>A saved ML.NET model holding a CNN classifier, as <c>train</c> writes it (or any pipeline with one).</summary>
internal sealed class ModelFile : IDisposable
{
    private ModelFile(ITransformer pipeline, CnnClassificationTransformer classifier)
    {
        Pipeline = pipeline;
        Classifier = classifier;
    }

    /// <summary>The whole saved pipeline.</summary>
    public ITransformer Pipeline { get; }

    /// <summary>The CNN classifier inside it.</summary>
    public CnnClassificationTransformer Classifier { get; }

    /// <summary>Loads a model zip and finds its CNN classifier.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ML.NET model, or holds no CNN classifier.</exception>
    public static ModelFile Load(MLContext mlContext, string path)
    {
        var pipeline = mlContext.Model.LoadFromFile(path, out _);
        var classifier = CnnModelOperations.FindCnnClassifier(pipeline);
        if (classifier is null)
        {
            (pipeline as IDisposable)?.Dispose();
            throw new InvalidDataException($"The model '{path}' holds no MLNetCnn CNN classifier.");
        }
        return new ModelFile(pipeline, classifier);
    }

    /// <summary>Frees the network's native memory.</summary>
    public void Dispose() => Classifier.Dispose();
}
