using TorchSharp;

namespace MLNetCnn.Tests.Training;

/// <summary>A network's parameters and buffers as plain arrays, to compare runs value for value.</summary>
internal static class TrainedWeights
{
    public static Dictionary<string, float[]> Of(CnnModel model) =>
        model.Network.state_dict()
            .Where(entry => entry.Value.dtype == torch.ScalarType.Float32)
            .ToDictionary(entry => entry.Key, entry => entry.Value.cpu().data<float>().ToArray());

    public static void AssertEqual(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToList(), actual.Keys.ToList());
        foreach (var (name, values) in expected)
            CollectionAssert.AreEqual(values, actual[name], $"tensor '{name}' differs");
    }
}
