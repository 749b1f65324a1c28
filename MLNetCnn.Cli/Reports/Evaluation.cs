using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Cli.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Cli.Reports;

/// <summary>How a classifier did on labelled data: ML.NET's multiclass metrics with the class names.</summary>
/// <param name="ClassNames">The model's classes, in key order.</param>
/// <param name="ImageCount">The images scored.</param>
/// <param name="MicroAccuracy">The fraction of images classified correctly.</param>
/// <param name="MacroAccuracy">The mean over classes of each class's accuracy.</param>
/// <param name="LogLoss">The mean negative log-probability of the true class.</param>
/// <param name="Precision">Per class: of the images predicted as it, the fraction that were.</param>
/// <param name="Recall">Per class: of its images, the fraction predicted as it.</param>
/// <param name="Confusion">Counts: row = true class, column = predicted class.</param>
/// <param name="TopK">The k of <paramref name="TopKAccuracy"/>; 0 when it is not reported.</param>
/// <param name="TopKAccuracy">The fraction of images whose true class is among the k most probable; null when k is 0.</param>
internal sealed record Evaluation(
    IReadOnlyList<string> ClassNames,
    long ImageCount,
    double MicroAccuracy,
    double MacroAccuracy,
    double LogLoss,
    IReadOnlyList<double> Precision,
    IReadOnlyList<double> Recall,
    IReadOnlyList<IReadOnlyList<double>> Confusion,
    int TopK,
    double? TopKAccuracy)
{
    /// <summary>
    /// Scores <paramref name="data"/> (a text <c>Label</c> and the classifier's image column) and evaluates it.
    /// Labels are matched to the model's class names; a label the model does not know is an error naming it.
    /// </summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="classifier">The model.</param>
    /// <param name="data">The labelled images.</param>
    /// <param name="topK">The k of the top-k accuracy (0 for none); null for <see cref="Estimators.TopKAccuracy.DefaultCount"/>.</param>
    /// <param name="topLosses">Finds the images with the highest loss in the same scoring pass, when given.</param>
    public static Evaluation Compute(MLContext mlContext, CnnClassificationTransformer classifier, IDataView data, int? topK = null,
        TopLosses? topLosses = null)
    {
        int k = topK is { } given
            ? Estimators.TopKAccuracy.Validate(given, classifier.ClassNames.Count)
            : Estimators.TopKAccuracy.DefaultCount(classifier.ClassNames.Count);
        const string key = "LabelKey";
        classifier.GetOutputSchema(data.Schema);
        var keyed = LabelKeys.Map(mlContext, key, classifier.ClassNames).Fit(data).Transform(data);
        CheckLabelsKnown(keyed, key, classifier.ClassNames);

        var scored = classifier.Transform(keyed);
        var metrics = mlContext.MulticlassClassification.Evaluate(topLosses?.Watch(scored) ?? scored, key, CnnColumnNames.Score,
            CnnColumnNames.PredictedLabel, topKPredictionCount: k);
        var matrix = metrics.ConfusionMatrix;
        return new Evaluation(
            classifier.ClassNames,
            (long)matrix.Counts.Sum(row => row.Sum()),
            metrics.MicroAccuracy,
            metrics.MacroAccuracy,
            metrics.LogLoss,
            matrix.PerClassPrecision,
            matrix.PerClassRecall,
            matrix.Counts,
            k,
            k > 0 ? metrics.TopKAccuracy : null);
    }

    private static void CheckLabelsKnown(IDataView keyed, string keyColumn, IReadOnlyList<string> classNames)
    {
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        long rows = 0;
        using (var cursor = keyed.GetRowCursor([keyed.Schema[CnnColumnNames.Label], keyed.Schema[keyColumn]]))
        {
            var label = cursor.GetGetter<ReadOnlyMemory<char>>(keyed.Schema[CnnColumnNames.Label]);
            var mapped = cursor.GetGetter<uint>(keyed.Schema[keyColumn]);
            ReadOnlyMemory<char> text = default;
            uint value = 0;
            while (cursor.MoveNext())
            {
                rows++;
                mapped(ref value);
                if (value == 0)
                {
                    label(ref text);
                    unknown.Add(text.ToString());
                }
            }
        }
        if (rows == 0)
            throw new InvalidDataException("The data to evaluate on has no rows.");
        if (unknown.Count > 0)
        {
            throw new InvalidDataException(
                $"The data has labels the model does not know: {string.Join(", ", unknown.Take(10))}{(unknown.Count > 10 ? ", ..." : "")}; " +
                $"the model's classes are {string.Join(", ", classNames)}.");
        }
    }
}
