using MLNetCnn.Data;
using MLNetCnn.Training;
using MLNetCnn.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Visualization;

[TestClass]
public sealed class KernelGridTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void DrawsTheFirstConvolutionOfAGreyModelAsAGridPngOfTheExpectedSize()
    {
        using var model = CnnModel.Create("lenet5", new ModelSpec(new ImageShape(1, 28, 28), 10), InputNormalization.Identity(1), CPU, seed: 1);
        string file = Path.Combine(TestFolders.Create(), "kernels.png");

        var grid = KernelGrid.FirstLayer(model, pixelsPerWeight: 4);
        grid.SavePng(file);

        // Six 5x5 kernels in 3 columns and 2 rows, 4 pixels per weight, 2-pixel gaps.
        Assert.AreEqual((2 + 3 * (20 + 2), 2 + 2 * (20 + 2)), (grid.Width, grid.Height));
        var (width, height, colours) = ImageFiles.Inspect(file);
        Assert.AreEqual((grid.Width, grid.Height), (width, height));
        Assert.IsGreaterThan(10, colours);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void DrawsColourKernelsInColourScaledToTheirOwnRange()
    {
        using var weight = tensor(new float[] { -1, 3, /* green */ 0, 0, /* blue */ 1, 1 }, [1, 3, 1, 2]);

        var grid = KernelGrid.Render(weight, pixelsPerWeight: 1);

        // Gap of 2 around one 2x1 tile; the first weight is the kernel's minimum, its red the maximum.
        Assert.AreEqual((2 + 2 + 2, 2 + 1 + 2), (grid.Width, grid.Height));
        int first = (2 * grid.Width + 2) * 3, second = first + 3;
        CollectionAssert.AreEqual(new byte[] { 0, 64, 128 }, grid.Pixels[first..(first + 3)]);
        CollectionAssert.AreEqual(new byte[] { 255, 64, 128 }, grid.Pixels[second..(second + 3)]);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ANetworkWithoutConvolutionIsRejectedByName()
    {
        ModelZoo.Register("kernel-grid-test-linear", spec => new LinearOnly(spec));
        using var model = CnnModel.Create("kernel-grid-test-linear", new ModelSpec(new ImageShape(1, 4, 4), 2), InputNormalization.Identity(1), CPU);

        var error = Assert.ThrowsExactly<ArgumentException>(() => KernelGrid.FirstLayer(model));

        StringAssert.Contains(error.Message, "kernel-grid-test-linear");
        StringAssert.Contains(error.Message, "Conv2d");
    }

    private sealed class LinearOnly : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear output;

        public LinearOnly(ModelSpec spec) : base(nameof(LinearOnly))
        {
            output = nn.Linear(spec.Input.Size, spec.ClassCount);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => output.forward(input.flatten(1));
    }
}
