using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class TopKAccuracyTests
{
    [TestCategory("Fast")]
    [TestMethod]
    [DataRow(2, 0)]
    [DataRow(5, 0)]
    [DataRow(6, 5)]
    [DataRow(1000, 5)]
    public void TopFiveIsReportedOnlyWhenThereAreMoreThanFiveClasses(int classes, int expectedK)
    {
        Assert.AreEqual(expectedK, TopKAccuracy.DefaultCount(classes));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AKOutsideTheClassesFailsNamingBoth()
    {
        Assert.AreEqual(3, TopKAccuracy.Validate(3, 3));
        Assert.AreEqual(0, TopKAccuracy.Validate(0, 3));
        var error = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TopKAccuracy.Validate(4, 3));
        StringAssert.Contains(error.Message, "the 3 classes; it is 4");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TopKAccuracy.Validate(-1, 3));
    }
}
