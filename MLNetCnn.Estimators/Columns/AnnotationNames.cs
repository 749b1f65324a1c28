namespace MLNetCnn.Estimators;

/// <summary>ML.NET's annotation names, which ML.NET keeps internal.</summary>
internal static class AnnotationNames
{
    public const string KeyValues = "KeyValues";
    public const string SlotNames = "SlotNames";
    public const string ScoreColumnKind = "ScoreColumnKind";
    public const string ScoreValueKind = "ScoreValueKind";
    public const string ScoreColumnSetId = "ScoreColumnSetId";
    public const string MulticlassClassification = "MulticlassClassification";
    public const string Score = "Score";
    public const string PredictedLabel = "PredictedLabel";

    /// <summary>
    /// Marks a column whose values are drawn afresh on every pass over the data (random augmentation), so a
    /// trainer must read it again each epoch instead of caching it.
    /// </summary>
    public const string RandomPerPass = "MLNetCnn.RandomPerPass";
}
