using MLNetCnn.Layers;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Layers;

[TestClass]
public sealed class LocalResponseNormalizationTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void AlexNetSettingFollowsThePapersFormula()
    {
        const int Size = 5, Channels = 9;
        const double Alpha = 1e-4, Beta = 0.75, K = 2;
        var input = randn(1, Channels, 2, 3) * 30;
        var a = input.data<float>().ToArray();

        var output = LocalResponseNormalization.AlexNet().call(input).data<float>().ToArray();

        // b[i] = a[i] / (k + alpha * sum over j in [i - n/2, i + n/2] of a[j]²)^beta (Krizhevsky et al. 2012, section 3.3).
        int plane = 2 * 3;
        for (int i = 0; i < Channels; i++)
        {
            for (int p = 0; p < plane; p++)
            {
                double sum = 0;
                for (int j = Math.Max(0, i - Size / 2); j <= Math.Min(Channels - 1, i + Size / 2); j++)
                    sum += a[j * plane + p] * (double)a[j * plane + p];
                double expected = a[i * plane + p] / Math.Pow(K + Alpha * sum, Beta);
                Assert.AreEqual(expected, output[i * plane + p], 1e-4 * Math.Abs(expected) + 1e-6, $"channel {i}, position {p}");
            }
        }
    }
}
