using MLNetCnn.Data;

namespace MLNetCnn.Tests;

[TestClass]
public sealed class ModelSpecTests
{
    private static ModelSpec WithOptions(params (string Name, double Value)[] options) =>
        new(new ImageShape(3, 32, 32), 10) { Options = options.ToDictionary(o => o.Name, o => o.Value, StringComparer.OrdinalIgnoreCase) };

    [TestCategory("Fast")]

    [TestMethod]
    public void AMisspeltOptionIsNamedWithTheOnesTheArchitectureTakes()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("mobilenet-v1", WithOptions(("alhpa", 0.5))));

        StringAssert.Contains(error.Message, "mobilenet-v1 has no option 'alhpa'; it takes: alpha, rho.");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnArchitectureWithoutOptionsSaysSo()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("googlenet", WithOptions(("alpha", 0.5))));

        StringAssert.Contains(error.Message, "it takes none");
        var vgg = Assert.ThrowsExactly<ArgumentException>(() => ModelZoo.Create("vgg11", WithOptions(("alpha", 0.5))));
        StringAssert.Contains(vgg.Message, "vgg11 has no option 'alpha'; it takes: adaptive_pool.");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void OptionsAreCheckedAgainstTheirRange()
    {
        var spec = WithOptions(("Width", 7));

        Assert.AreEqual(7.0, spec.Option("net", "width", 1, 0, 8));
        Assert.AreEqual(2.0, spec.Option("net", "depth", 2, 0, 8));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => spec.Option("net", "width", 1, 0, 4)).Message, "Option 'width' of net is 7; it must be in [0, 4].");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => WithOptions(("n", double.NaN)).Option("net", "n", 1, 0, 4)).Message, "must be in");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => WithOptions(("n", 2.5)).IntegerOption("net", "n", 1, 0, 4)).Message, "whole number");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheMinimumSizeErrorNamesTheArchitectureAndTheSize()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new ModelSpec(new ImageShape(1, 20, 4), 10).RequireMinimumSize("mynet", 8));

        Assert.AreEqual("mynet needs images of at least 8x8 pixels; the input is 1x20x4.", error.Message);
    }
}
