namespace MLNetCnn.Estimators;

/// <summary>
/// Top-k accuracy, the share of images whose true class is among the k most probable: the headline metric of the
/// ImageNet-era networks (top-5). Pass <see cref="DefaultCount"/> as <c>topKPredictionCount</c> to ML.NET's
/// <c>MulticlassClassification.Evaluate</c>; its metrics then carry <c>TopKAccuracy</c>.
/// </summary>
public static class TopKAccuracy
{
    /// <summary>The k reported by default: 5, as for ImageNet.</summary>
    public const int DefaultK = 5;

    /// <summary>
    /// The k to report for <paramref name="classCount"/> classes: <see cref="DefaultK"/> when there are more classes than
    /// that, and 0 (no top-k accuracy, which would be 1 or near it) otherwise.
    /// </summary>
    public static int DefaultCount(int classCount) => classCount > DefaultK ? DefaultK : 0;

    /// <summary>Checks a requested k against the class count: 0 (none) or from 1 to <paramref name="classCount"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is negative or more than the classes.</exception>
    public static int Validate(int k, int classCount)
    {
        if (k < 0 || k > classCount)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"Top-k must be 0 (none) or from 1 to the {classCount} classes; it is {k}.");
        return k;
    }
}
