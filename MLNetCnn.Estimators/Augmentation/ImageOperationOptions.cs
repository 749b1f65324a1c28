namespace MLNetCnn.Estimators;

/// <summary>The columns of an image pipeline stage.</summary>
public abstract class ImageOperationOptions
{
    /// <summary>
    /// The column written: images stay <c>MLImage</c>s (RGB, 8 bits), pixel vectors stay CHW vectors of
    /// <see cref="float"/>. By default the stage works in place on <c>Features</c>.
    /// </summary>
    public string OutputColumnName = CnnColumnNames.Features;

    /// <summary>
    /// The column read: an <c>MLImage</c> column of fixed size (<c>ResizeImages</c>) or a vector of
    /// <see cref="float"/> whose type carries its CHW shape (<c>ExtractPixels</c>, <c>LoadFromImageDataset</c>).
    /// Null reads <see cref="OutputColumnName"/>, so the stage replaces the column.
    /// </summary>
    public string? InputColumnName;

    internal string InputColumn => InputColumnName ?? OutputColumnName;
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
