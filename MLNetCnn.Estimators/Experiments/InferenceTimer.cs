using System.Diagnostics;

namespace MLNetCnn.Estimators;

/// <summary>
/// Times a fitted network's batched inference on blank images, after a warm-up batch, so that architectures compare on the
/// network alone rather than on data reading or first-call costs.
/// </summary>
internal static class InferenceTimer
{
    private const int TimedPasses = 3;

    /// <summary>Milliseconds per image of the fastest of three timed passes over one batch of <paramref name="batchSize"/>
    /// images.</summary>
    public static double MillisecondsPerImage(CnnModel model, int batchSize)
    {
        var images = new float[batchSize * model.Spec.Input.Size];
        var probabilities = new float[batchSize * model.Spec.ClassCount];
        model.PredictProbabilities(images, batchSize, probabilities);
        var fastest = TimeSpan.MaxValue;
        for (int pass = 0; pass < TimedPasses; pass++)
        {
            var clock = Stopwatch.StartNew();
            model.PredictProbabilities(images, batchSize, probabilities);
            fastest = clock.Elapsed < fastest ? clock.Elapsed : fastest;
        }
        return fastest.TotalMilliseconds / batchSize;
    }
}
