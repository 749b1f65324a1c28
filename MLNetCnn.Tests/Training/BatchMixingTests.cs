using MLNetCnn.Training;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

[TestClass]
public sealed class BatchMixingTests
{
    private const int Rows = 16;

    [TestCategory("Fast")]

    [TestMethod]
    public void MixUpBlendsEveryImageWithItsPartnerByTheSameShareAndGivesThePartnersLabels()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(3);
        var (images, labels) = RowsFilledWithTheirIndex();
        var mixing = BatchMixing.For(new TrainingOptions { MixUpAlpha = 0.4 })!;

        var mixed = mixing.Mix(images, labels);

        Assert.IsTrue(mixed.Lambda is > 0 and < 1, $"{mixed.Lambda}");
        var partners = mixed.PartnerTarget.data<long>().ToArray();
        CollectionAssert.AreEquivalent(Enumerable.Range(0, Rows).Select(i => (long)i).ToArray(), partners, "a permutation of the batch");
        for (int row = 0; row < Rows; row++)
        {
            var values = mixed.Input[row].flatten().data<float>().ToArray();
            double expected = mixed.Lambda * row + (1 - mixed.Lambda) * partners[row];
            Assert.IsTrue(values.All(v => Math.Abs(v - expected) < 1e-4), $"row {row}: {values[0]} vs {expected}");
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void CutMixPastesOneRectangleOfThePartnerWhoseAreaIsTheLabelsShare()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(4);
        var (images, labels) = RowsFilledWithTheirIndex();
        var mixing = BatchMixing.For(new TrainingOptions { CutMixAlpha = 1 })!;

        var mixed = mixing.Mix(images, labels);

        var partners = mixed.PartnerTarget.data<long>().ToArray();
        for (int row = 0; row < Rows; row++)
        {
            var values = mixed.Input[row, 0].data<float>().ToArray();
            Assert.IsTrue(values.All(v => v == row || v == partners[row]), $"row {row} holds only its own and its partner's pixels");
            if (partners[row] == row)
                continue;
            double partnerShare = values.Count(v => v == partners[row]) / (double)values.Length;
            Assert.AreEqual(1 - mixed.Lambda, partnerShare, 1e-9, $"row {row}");
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void WithBothOnEachBatchUsesOneOfThemAndOffMeansNoMixing()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var (images, labels) = RowsFilledWithTheirIndex();
        var mixing = BatchMixing.For(new TrainingOptions { MixUpAlpha = 0.4, CutMixAlpha = 1 })!;
        int cut = 0, blended = 0;

        for (int draw = 0; draw < 40; draw++)
        {
            var mixed = mixing.Mix(images, labels);
            var first = mixed.Input[0, 0].data<float>().ToArray();
            // CutMix keeps whole pixel values; MixUp blends them (unless the row is its own partner).
            if (mixed.PartnerTarget[0].item<long>() == 0)
                continue;
            if (first.All(v => v == 0 || v == mixed.PartnerTarget[0].item<long>()))
                cut++;
            else
                blended++;
        }

        Assert.IsGreaterThan(5, cut);
        Assert.IsGreaterThan(5, blended);
        Assert.IsNull(BatchMixing.For(new TrainingOptions()));
    }

    private static (Tensor Images, Tensor Labels) RowsFilledWithTheirIndex() =>
        (arange(Rows, dtype: ScalarType.Float32).reshape(Rows, 1, 1, 1).expand(Rows, 1, 8, 8).contiguous(), arange(Rows, dtype: ScalarType.Int64));
}
