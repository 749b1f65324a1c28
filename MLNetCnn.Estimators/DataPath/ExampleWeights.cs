using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// Reads ML.NET's example-weight column (<c>ExampleWeightColumnName</c>, a <see cref="float"/> per row) for the rows the
/// trainer trains on, in their order: the rows a validation hold-out keeps for training, as the record files split them.
/// Reads the label and weight columns only (no images); holds one float per training row.
/// </summary>
internal static class ExampleWeights
{
    /// <summary>Checks that <paramref name="schema"/> has the weight column as a <see cref="float"/> scalar.</summary>
    public static DataViewSchema.Column Bind(DataViewSchema schema, string column)
    {
        var weight = schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(nameof(column), column,
                $"Example weight column '{column}' was not found in the data; its columns are: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        if (weight.Type != NumberDataViewType.Single)
            throw new ArgumentException($"Example weight column '{column}' has type {weight.Type}; weights must be Single (float), one per row.");
        return weight;
    }

    /// <summary>The weight of each training row, in the order the record file holds the rows.</summary>
    /// <param name="data">The trainer's input.</param>
    /// <param name="column">The weight column.</param>
    /// <param name="validationFraction">The hold-out fraction (0 for none), as the record files were written with.</param>
    /// <param name="seed">The hold-out's seed.</param>
    /// <param name="trainingRows">The rows the training file holds, to check the weights against.</param>
    /// <exception cref="InvalidOperationException">A weight is negative or not finite (naming the row), or rows were left out.</exception>
    public static float[] Read(LabelledImages data, string column, double validationFraction, int seed, long trainingRows)
    {
        var weight = Bind(data.View.Schema, column);
        var holdout = validationFraction > 0
            ? new StratifiedHoldout(DataViewRecords.Examine(data, identify: false).ClassCounts, validationFraction, seed)
            : null;
        var weights = new List<float>();
        using (var cursor = data.View.GetRowCursor([data.Label, weight]))
        {
            var readLabel = DataViewRecords.KeyReader(cursor, data.Label, data.ClassCount);
            var readWeight = cursor.GetGetter<float>(weight);
            float value = 0;
            while (cursor.MoveNext())
            {
                int label = readLabel();
                readWeight(ref value);
                if (!float.IsFinite(value) || value < 0)
                    throw new InvalidOperationException($"Row {cursor.Position}: example weight column '{column}' holds {value}; weights must be zero or positive numbers.");
                if (holdout?.HoldsOutNext(label) != true)
                    weights.Add(value);
            }
        }
        if (weights.Count != trainingRows)
        {
            throw new InvalidOperationException($"Example weight column '{column}' has {weights.Count} training rows but {trainingRows} were read " +
                "(unreadable images were left out): example weights cannot be combined with SkipUnreadableImages when images are skipped.");
        }
        if (!weights.Any(w => w > 0))
            throw new InvalidOperationException($"Every training row has example weight 0 in column '{column}': nothing would be learnt.");
        return [.. weights];
    }
}
