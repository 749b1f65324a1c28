using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Data;

namespace MLNetCnn.Estimators;

/// <summary>Reads the label and image columns of an <see cref="IDataView"/> into an in-memory <see cref="ImageDataset"/>.</summary>
internal static class TrainingDataReader
{
    /// <summary>
    /// Reads every row; throws an error naming the row and column for a missing label or an image that does not
    /// fit or holds a non-finite value (see <see cref="ImageColumnBinding.CreateReader"/>), and for data with no rows
    /// or a single class.
    /// </summary>
    public static ImageDataset Read(IDataView data, DataViewSchema.Column labelColumn, ImageColumnBinding binding, int classCount)
    {
        var shape = binding.Shape;
        var pixels = new List<float[]>();
        var labels = new List<int>();
        using (var cursor = data.GetRowCursor([labelColumn, binding.Column]))
        {
            var readLabel = KeyReader(cursor, labelColumn);
            var readImage = binding.CreateReader(cursor);
            while (cursor.MoveNext())
            {
                ulong key = readLabel();
                if (key == 0 || key > (ulong)classCount)
                    throw new InvalidOperationException($"Row {cursor.Position}: label column '{labelColumn.Name}' holds a missing or out-of-range key ({key}).");
                var image = new float[shape.Size];
                readImage(image);
                pixels.Add(image);
                labels.Add((int)key - 1);
            }
        }
        if (labels.Count == 0)
            throw new ArgumentException("The training data has no rows.");
        int distinct = labels.Distinct().Count();
        if (distinct < 2)
            throw new ArgumentException($"The training data holds a single class (label column '{labelColumn.Name}'); a classifier needs at least 2.");

        var flat = new float[(long)pixels.Count * shape.Size];
        for (int i = 0; i < pixels.Count; i++)
            pixels[i].CopyTo(flat, (long)i * shape.Size);
        return new ImageDataset(shape, flat, [.. labels], classCount);
    }

    private static Func<ulong> KeyReader(DataViewRow row, DataViewSchema.Column column)
    {
        switch (column.Type.RawType)
        {
            case var t when t == typeof(uint):
                return Read<uint>(row, column, v => v);
            case var t when t == typeof(ulong):
                return Read<ulong>(row, column, v => v);
            case var t when t == typeof(ushort):
                return Read<ushort>(row, column, v => v);
            case var t when t == typeof(byte):
                return Read<byte>(row, column, v => v);
            default:
                throw new ArgumentException($"Label column '{column.Name}' has an unsupported key type {column.Type}.");
        }
    }

    private static Func<ulong> Read<T>(DataViewRow row, DataViewSchema.Column column, Func<T, ulong> widen)
    {
        var getter = row.GetGetter<T>(column);
        T value = default!;
        return () =>
        {
            getter(ref value);
            return widen(value);
        };
    }
}
