using Microsoft.ML;
using MLNetCnn.IO;

namespace MLNetCnn.Estimators;

/// <summary>Saving and loading fitted pipelines that contain CNN classifiers.</summary>
public static class CnnModelOperations
{
    /// <summary>
    /// Saves a fitted pipeline like <c>mlContext.Model.Save</c>, but atomically: a crash or error part-way
    /// leaves any previous file at <paramref name="path"/> intact and no partial file behind.
    /// </summary>
    public static void SaveAtomically(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        AtomicFile.Write(path, stream => catalog.Save(model, inputSchema, stream));
    }

    /// <summary>
    /// Loads a model file like <c>mlContext.Model.Load</c>, with errors that name the file and give the reason
    /// (ML.NET reports most damage as "Error during class instantiation" with the cause nested inside).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not an ML.NET model, or is truncated or damaged.</exception>
    public static ITransformer LoadFromFile(this ModelOperationsCatalog catalog, string path, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        try
        {
            return catalog.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or InvalidDataException or IOException or ArgumentException
            or System.Reflection.TargetInvocationException)
        {
            throw new InvalidDataException($"Model file '{path}' cannot be loaded: {Cause(e).Message}", e);
        }
    }

    // The library's own reason when there is one (a damaged CNN entry), else the innermost one (a damaged zip).
    private static Exception Cause(Exception error)
    {
        var chain = new List<Exception>();
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is not System.Reflection.TargetInvocationException)
                chain.Add(e);
        }
        return chain.LastOrDefault(e => e is InvalidDataException) ?? chain.LastOrDefault() ?? error;
    }
}
