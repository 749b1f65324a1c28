using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// The label column's key values (the class names behind key 1, 2, ...), kept with their ML.NET type so
/// that <c>PredictedLabel</c> carries the same key values and <c>MapKeyToValue</c> gives back the label
/// values as they were. Text, numbers and booleans survive saving and loading.
/// </summary>
internal abstract class ClassLabels
{
    private static readonly IReadOnlyDictionary<string, PrimitiveDataViewType> TypesByName =
        new PrimitiveDataViewType[]
        {
            TextDataViewType.Instance, BooleanDataViewType.Instance,
            NumberDataViewType.SByte, NumberDataViewType.Byte, NumberDataViewType.Int16, NumberDataViewType.UInt16,
            NumberDataViewType.Int32, NumberDataViewType.UInt32, NumberDataViewType.Int64, NumberDataViewType.UInt64,
            NumberDataViewType.Single, NumberDataViewType.Double,
        }.ToDictionary(t => t.RawType.Name);

    /// <summary>The number of classes.</summary>
    public abstract int Count { get; }

    /// <summary>Each class's value as text, for score slot names and reports.</summary>
    public abstract IReadOnlyList<string> Names { get; }

    /// <summary>Adds the <c>KeyValues</c> annotation for these classes.</summary>
    public abstract void AddKeyValues(DataViewSchema.Annotations.Builder builder);

    /// <summary>Reads the key values of a key-typed label column; null when it has none or of an unsupported type.</summary>
    public static ClassLabels? FromColumn(DataViewSchema.Column label)
    {
        var annotation = label.Annotations.Schema.GetColumnOrNull(AnnotationNames.KeyValues);
        if (annotation?.Type is not VectorDataViewType { ItemType: PrimitiveDataViewType itemType } || !TypesByName.ContainsKey(itemType.RawType.Name))
            return null;
        var read = typeof(ClassLabels).GetMethod(nameof(Read), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(itemType.RawType);
        return (ClassLabels)read.Invoke(null, [label, itemType])!;
    }

    /// <summary>Writes the type and the values as invariant text.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(ItemType.RawType.Name);
        writer.Write(Count);
        foreach (var name in Names)
            writer.Write(name);
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    public static ClassLabels Load(BinaryReader reader, int expectedCount)
    {
        string typeName = reader.ReadString();
        if (!TypesByName.TryGetValue(typeName, out var type))
            throw new InvalidDataException($"The model's class labels have unsupported type '{typeName}'.");
        int count = reader.ReadInt32();
        if (count != expectedCount)
            throw new InvalidDataException($"The model stores {count} class labels for {expectedCount} classes.");
        var names = new string[count];
        for (int i = 0; i < count; i++)
            names[i] = reader.ReadString();
        var parse = typeof(ClassLabels).GetMethod(nameof(Parse), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(type.RawType);
        return (ClassLabels)parse.Invoke(null, [names, type])!;
    }

    private protected abstract PrimitiveDataViewType ItemType { get; }

    private static ClassLabels Read<T>(DataViewSchema.Column label, PrimitiveDataViewType itemType)
    {
        VBuffer<T> values = default;
        label.GetKeyValues(ref values);
        return new Typed<T>(values.DenseValues().ToArray(), itemType);
    }

    private static ClassLabels Parse<T>(string[] names, PrimitiveDataViewType itemType)
    {
        var values = names.Select(name => typeof(T) == typeof(ReadOnlyMemory<char>)
            ? (T)(object)name.AsMemory()
            : (T)Convert.ChangeType(name, typeof(T), CultureInfo.InvariantCulture)).ToArray();
        return new Typed<T>(values, itemType);
    }

    private sealed class Typed<T>(T[] values, PrimitiveDataViewType itemType) : ClassLabels
    {
        private readonly string[] _names = values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToArray();

        public override int Count => values.Length;

        public override IReadOnlyList<string> Names => _names;

        private protected override PrimitiveDataViewType ItemType => itemType;

        public override void AddKeyValues(DataViewSchema.Annotations.Builder builder) =>
            builder.Add(AnnotationNames.KeyValues, new VectorDataViewType(itemType, values.Length),
                (ref VBuffer<T> destination) => destination = new VBuffer<T>(values.Length, values));
    }
}
