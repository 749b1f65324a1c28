namespace MLNetCnn.Estimators;

/// <summary>The columns of an image pipeline stage.</summary>
public abstract class ImageOperationOptions
{
    /// <summary>
    /// The column written: images stay <c>MLImage</c>s (RGB, 8 bits), pixel vectors stay CHW vectors of
    /// <see cref="float"/>. Null (the default) works in place on the pipeline's image column: <c>Image</c> when the
    /// data has one (what <c>Transforms.CnnClassifier</c> reads), else <c>Features</c> (what
    /// <c>Trainers.Cnn</c> reads), so an image pipeline names no column.
    /// </summary>
    public string? OutputColumnName;

    /// <summary>
    /// The column read: an <c>MLImage</c> column of fixed size (<c>ResizeImages</c>) or a vector of
    /// <see cref="float"/> whose type carries its CHW shape (<c>ExtractPixels</c>, <c>LoadFromImageDataset</c>).
    /// Null reads <see cref="OutputColumnName"/>, so the stage replaces the column.
    /// </summary>
    public string? InputColumnName;

    /// <summary>The columns read and written by a stage given <paramref name="output"/> and <paramref name="input"/>, in data with the
    /// columns <paramref name="present"/>.</summary>
    internal static (string Input, string Output) Columns(string? output, string? input, IEnumerable<string> present)
    {
        output ??= present.Contains(CnnColumnNames.Image) ? CnnColumnNames.Image : CnnColumnNames.Features;
        return (input ?? output, output);
    }
}

/// <summary>The columns and seed of a random augmentation stage.</summary>
public abstract class RandomImageOperationOptions : ImageOperationOptions
{
    /// <summary>
    /// Seeds the random draws: with the same seed, every pass over the data repeats the same sequence of
    /// draws (pass k always gives the same images). Null takes a seed from the MLContext's random source.
    /// </summary>
    public int? Seed;
}
