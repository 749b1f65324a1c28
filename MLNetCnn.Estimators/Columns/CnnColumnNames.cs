namespace MLNetCnn.Estimators;

/// <summary>The column names the CNN components use unless told otherwise (ML.NET's conventions).</summary>
public static class CnnColumnNames
{
    /// <summary>The label column.</summary>
    public const string Label = "Label";

    /// <summary>The pixel-vector input column.</summary>
    public const string Features = "Features";

    /// <summary>The image input column.</summary>
    public const string Image = "Image";

    /// <summary>The class-probability output column.</summary>
    public const string Score = "Score";

    /// <summary>The predicted-class output column.</summary>
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>The embedding (penultimate features) output column.</summary>
    public const string Embedding = "Embedding";
}
