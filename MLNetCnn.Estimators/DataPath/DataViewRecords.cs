using System.IO.Hashing;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Data;

namespace MLNetCnn.Estimators;

/// <summary>The label and image columns of a data view, bound and checked, as the trainer reads them.</summary>
internal sealed record LabelledImages(IDataView View, DataViewSchema.Column Label, ImageColumnBinding Image, int ClassCount);

/// <summary>
/// Reads a data view's labelled images once, row by row, into record files (the training rows, and the held-out
/// validation rows when a hold-out is given): one row in memory at a time. Errors name the row, and the file when the
/// row has a path column. Also surveys a view cheaply (labels and text columns, no images) for its class counts and a
/// fingerprint that names its content, so that a kept cache is reused only for the same data.
/// </summary>
internal static class DataViewRecords
{
    /// <summary>The class counts and the fingerprint of a view's rows.</summary>
    public sealed record Survey(string Fingerprint, long[] ClassCounts);

    /// <summary>
    /// Counts the rows of each class and fingerprints the data: the schema, the labels and every text column (such as
    /// image paths) in order, and for a text value naming a file its length and last write time; when no column names
    /// files, the image values themselves. Without <paramref name="identify"/> only the classes are counted.
    /// </summary>
    public static Survey Examine(LabelledImages data, bool identify)
    {
        var hash = new XxHash128();
        Append(hash, $"{data.Image.Column.Name}:{data.Image.Shape}:{data.Image.IsImage}|{data.Label.Name}:{data.ClassCount}|");
        foreach (var column in data.View.Schema.Where(c => !c.IsHidden))
            Append(hash, $"{column.Name}:{column.Type};");
        var counts = new long[data.ClassCount];
        var texts = identify ? TextColumns(data.View.Schema) : [];
        bool namesFiles = false;
        using (var cursor = data.View.GetRowCursor([data.Label, .. texts]))
        {
            var readLabel = KeyReader(cursor, data.Label, data.ClassCount);
            var readTexts = texts.Select(c => cursor.GetGetter<ReadOnlyMemory<char>>(c)).ToArray();
            ReadOnlyMemory<char> text = default;
            while (cursor.MoveNext())
            {
                int label = readLabel();
                counts[label]++;
                if (identify)
                    Append(hash, $"{label}|");
                foreach (var getter in readTexts)
                {
                    getter(ref text);
                    string value = text.ToString();
                    Append(hash, value);
                    if (value.Length > 0 && File.Exists(value))
                    {
                        var file = new FileInfo(value);
                        Append(hash, $"|{file.Length}|{file.LastWriteTimeUtc.Ticks}");
                        namesFiles = true;
                    }
                }
            }
        }
        if (identify && !namesFiles)
            HashImages(data, hash);
        return new Survey(Convert.ToHexString(hash.GetCurrentHash()), counts);
    }

    /// <summary>
    /// Writes every row, into <paramref name="validation"/> when <paramref name="holdout"/> holds it out and into
    /// <paramref name="train"/> otherwise. <paramref name="onUnreadable"/>, when given, is told of each row whose image
    /// cannot be read, which is then left out; without it such a row stops the pass with an error naming it.
    /// <paramref name="decodeWorkers"/> threads decode the images (see <see cref="DecodedRows"/>); the rows are written in order.
    /// </summary>
    public static void Write(LabelledImages data, ImageRecordWriter? train, ImageRecordWriter? validation, StratifiedHoldout? holdout,
        Action<string>? onUnreadable = null, int decodeWorkers = 1)
    {
        using var rows = new DecodedRows(data, data.Image.IsImage ? decodeWorkers : 1);
        while (rows.MoveNext())
        {
            int label = rows.Label;
            var target = holdout?.HoldsOutNext(label) == true ? validation : train;
            if (target is null)
                continue;
            if (rows.ImageError is { } e)
            {
                string message = rows.File is { } file ? $"{e.Message} (file '{file}')" : e.Message;
                if (onUnreadable is null)
                    throw new InvalidOperationException(message, e.InnerException ?? e);
                onUnreadable(message);
                continue;
            }
            target.Add(rows.Image, label);
        }
    }

    /// <summary>Reads a key label as a class index, with an error naming the row for a missing or out-of-range key.</summary>
    public static Func<int> KeyReader(DataViewRowCursor cursor, DataViewSchema.Column column, int classCount)
    {
        var read = column.Type.RawType switch
        {
            var t when t == typeof(uint) => Read<uint>(cursor, column, v => v),
            var t when t == typeof(ulong) => Read<ulong>(cursor, column, v => v),
            var t when t == typeof(ushort) => Read<ushort>(cursor, column, v => v),
            var t when t == typeof(byte) => Read<byte>(cursor, column, v => v),
            _ => throw new ArgumentException($"Label column '{column.Name}' has an unsupported key type {column.Type}."),
        };
        return () =>
        {
            ulong key = read();
            if (key == 0 || key > (ulong)classCount)
                throw new InvalidOperationException($"Row {cursor.Position}: label column '{column.Name}' holds a missing or out-of-range key ({key}).");
            return (int)key - 1;
        };
    }

    private static void HashImages(LabelledImages data, XxHash128 hash)
    {
        var image = new float[data.Image.Shape.Size];
        using var cursor = data.View.GetRowCursor([data.Image.Column]);
        var readImage = data.Image.CreateReader(cursor);
        while (cursor.MoveNext())
        {
            readImage(image);
            hash.Append(System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.AsSpan()));
        }
    }

    internal static DataViewSchema.Column[] TextColumns(DataViewSchema schema) =>
        [.. schema.Where(c => !c.IsHidden && c.Type is TextDataViewType)];

    internal static string? FileOf(ValueGetter<ReadOnlyMemory<char>>[] texts)
    {
        ReadOnlyMemory<char> text = default;
        foreach (var getter in texts)
        {
            getter(ref text);
            string value = text.ToString();
            if (value.Length > 0 && (File.Exists(value) || ImageFileCatalog.ImageExtensions.Contains(Path.GetExtension(value).ToLowerInvariant())))
                return value;
        }
        return null;
    }

    private static void Append(XxHash128 hash, string text) => hash.Append(Encoding.UTF8.GetBytes(text));

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
