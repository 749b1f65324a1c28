using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// The two columns a CNN classifier adds, typed and annotated as ML.NET's multiclass trainers do, so that
/// <c>MulticlassClassification.Evaluate</c>, <c>MapKeyToValue</c> and <c>PredictionEngine</c> accept them:
/// <c>Score</c>, a vector of class probabilities with the class names as slot names, and
/// <c>PredictedLabel</c>, a key over the classes carrying the label's key values.
/// </summary>
internal sealed class ScoreColumns(string scoreColumnName, string predictedLabelColumnName, int classCount, ClassLabels? labels)
{
    /// <summary>Name of the probability vector column.</summary>
    public string ScoreColumnName { get; } = scoreColumnName;

    /// <summary>Name of the predicted key column.</summary>
    public string PredictedLabelColumnName { get; } = predictedLabelColumnName;

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; } = classCount;

    /// <summary>The label's key values, when it had any.</summary>
    public ClassLabels? Labels { get; } = labels;

    /// <summary>The type of the score column.</summary>
    public VectorDataViewType ScoreType => new(NumberDataViewType.Single, ClassCount);

    /// <summary>The type of the predicted label column.</summary>
    public KeyDataViewType PredictedLabelType => new(typeof(uint), ClassCount);

    /// <summary>The input schema with the two columns appended (hiding input columns of the same names).</summary>
    public DataViewSchema AppendTo(DataViewSchema input)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(ScoreColumnName, ScoreType, ScoreAnnotations());
        builder.AddColumn(PredictedLabelColumnName, PredictedLabelType, PredictedLabelAnnotations());
        return builder.ToSchema();
    }

    /// <summary>The score column's annotations: slot names, and the kinds ML.NET's evaluators look for.</summary>
    public DataViewSchema.Annotations ScoreAnnotations()
    {
        var builder = new DataViewSchema.Annotations.Builder();
        var names = Enumerable.Range(0, ClassCount)
            .Select(i => (Labels?.Names[i] ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)).AsMemory())
            .ToArray();
        builder.Add(AnnotationNames.SlotNames, new VectorDataViewType(TextDataViewType.Instance, ClassCount), (ref VBuffer<ReadOnlyMemory<char>> destination) =>
            destination = new VBuffer<ReadOnlyMemory<char>>(names.Length, names));
        AddScoreKinds(builder, AnnotationNames.Score);
        return builder.ToAnnotations();
    }

    /// <summary>The predicted label's annotations: the label's key values and the score kinds.</summary>
    public DataViewSchema.Annotations PredictedLabelAnnotations()
    {
        var builder = new DataViewSchema.Annotations.Builder();
        Labels?.AddKeyValues(builder);
        AddScoreKinds(builder, AnnotationNames.PredictedLabel);
        return builder.ToAnnotations();
    }

    private static void AddScoreKinds(DataViewSchema.Annotations.Builder builder, string valueKind)
    {
        builder.Add(AnnotationNames.ScoreColumnKind, TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> value) => value = AnnotationNames.MulticlassClassification.AsMemory());
        builder.Add(AnnotationNames.ScoreValueKind, TextDataViewType.Instance,
            (ref ReadOnlyMemory<char> value) => value = valueKind.AsMemory());
    }
}
