using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNetCnn.Estimators;

namespace MLNetCnn.Cli.Data;

/// <summary>Maps text labels to keys in a known class order, so tables and reports list classes the same way every time.</summary>
internal static class LabelKeys
{
    /// <summary>
    /// Keys in the order of <paramref name="classNames"/> (labels not among them become missing keys), or in
    /// sorted order when the classes are not known up front.
    /// </summary>
    public static ValueToKeyMappingEstimator Map(MLContext mlContext, string outputColumnName, IReadOnlyList<string>? classNames) =>
        classNames is null
            ? mlContext.Transforms.Conversion.MapValueToKey(outputColumnName, CnnColumnNames.Label, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            : mlContext.Transforms.Conversion.MapValueToKey(outputColumnName, CnnColumnNames.Label,
                keyData: mlContext.Data.LoadFromEnumerable(classNames.Select(name => new ClassName { Name = name })));

    private sealed class ClassName
    {
        public string Name { get; set; } = "";
    }
}
