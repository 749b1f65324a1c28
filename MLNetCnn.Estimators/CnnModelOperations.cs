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
}
