using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetCnn.Estimators;

/// <summary>What an output column of a CNN transformer holds.</summary>
internal enum OutputKind
{
    Score,
    PredictedLabel,
    Embedding,
}

/// <summary>
/// The columns a CNN classifier adds, typed and annotated as ML.NET's multiclass trainers do, so that
/// <c>MulticlassClassification.Evaluate</c>, <c>MapKeyToValue</c> and <c>PredictionEngine</c> accept them:
/// <c>Score</c>, a vector of class probabilities with the class names as slot names, and
/// <c>PredictedLabel</c>, a key over the classes carrying the label's key values; and, when asked for, an embedding
/// column of the penultimate features. A featurizer adds the embedding column alone (<paramref name="scores"/> false).
/// </summary>
internal sealed class ScoreColumns(string scoreColumnName, string predictedLabelColumnName, int classCount, ClassLabels? labels,
    string? embeddingColumnName = null, int embeddingSize = 0, bool scores = true)
{
    /// <summary>Whether the score and predicted-label columns are added.</summary>
    public bool Scores { get; } = scores;

    /// <summary>Name of the embedding column, or null for none.</summary>
    public string? EmbeddingColumnName { get; } = embeddingColumnName;

    /// <summary>The length of the embedding vectors.</summary>
    public int EmbeddingSize { get; } = embeddingSize;

    /// <summary>The output columns in the order they follow the input's.</summary>
    public IReadOnlyList<OutputKind> Kinds =>
        [.. Scores ? [OutputKind.Score, OutputKind.PredictedLabel] : Array.Empty<OutputKind>(), .. EmbeddingColumnName is null ? [] : new[] { OutputKind.Embedding }];

    /// <summary>The same columns with an embedding column of <paramref name="size"/> added, or alone when <paramref name="keepScores"/> is
    /// false.</summary>
    public ScoreColumns WithEmbedding(string columnName, int size, bool keepScores) =>
        new(ScoreColumnName, PredictedLabelColumnName, ClassCount, Labels, columnName, size, keepScores);

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

    /// <summary>The input schema with the output columns appended (hiding input columns of the same names).</summary>
    public DataViewSchema AppendTo(DataViewSchema input)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        if (Scores)
        {
            builder.AddColumn(ScoreColumnName, ScoreType, ScoreAnnotations());
            builder.AddColumn(PredictedLabelColumnName, PredictedLabelType, PredictedLabelAnnotations());
        }
        if (EmbeddingColumnName is not null)
            builder.AddColumn(EmbeddingColumnName, new VectorDataViewType(NumberDataViewType.Single, EmbeddingSize));
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
