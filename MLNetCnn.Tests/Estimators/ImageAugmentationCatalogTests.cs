using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetCnn.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class ImageAugmentationCatalogTests
{
    private const int Size = 12;
    private static readonly ImageDataset Colour = SyntheticImages.Bars(24, size: Size, channels: 3);

    public static IEnumerable<object[]> Stages() =>
    [
        ["RandomCrop", 10, true],
        ["RandomHorizontalFlip", Size, true],
        ["RandomVerticalFlip", Size, true],
        ["RandomResizedCrop", 8, true],
        ["RandomAffine", Size, true],
        ["ColorJitter", Size, true],
        ["PcaLighting", Size, true],
        ["RandomErasing", Size, true],
        ["NormalizeChannels", Size, false],
    ];

    [TestCategory("Fast")]

    [TestMethod]
    [DynamicData(nameof(Stages))]
    public void EveryStageWorksOnAPixelVectorColumn(string stage, int outputSize, bool isRandom)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(Colour);
        var estimator = Stage(mlContext, stage, "Augmented", "Features");

        var output = estimator.Fit(data).Transform(data);

        var column = output.Schema["Augmented"];
        var type = (VectorDataViewType)column.Type;
        CollectionAssert.AreEqual(new[] { 3, outputSize, outputSize }, type.Dimensions.ToArray());
        Assert.AreEqual(isRandom, column.Annotations.Schema.GetColumnOrNull("MLNetCnn.RandomPerPass") is not null);
        var augmented = output.GetColumn<float[]>("Augmented").ToList();
        var original = output.GetColumn<float[]>("Features").ToList();
        Assert.HasCount(Colour.Count, augmented);
        Assert.IsTrue(augmented.All(a => a.Length == 3 * outputSize * outputSize));
        Assert.IsTrue(augmented.Zip(original).Any(p => !p.First.SequenceEqual(p.Second)), "the stage changes some images");
        Assert.IsNotNull(estimator.GetOutputSchema(ShapeOf(data.Schema)).FirstOrDefault(c => c.Name == "Augmented").Name);
    }

    [TestCategory("Fast")]

    [TestMethod]
    [DynamicData(nameof(Stages))]
    public void EveryStageWorksOnAnImageColumn(string stage, int outputSize, bool isRandom)
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(ImageRows(Colour));
        var estimator = Stage(mlContext, stage, "Image", null);

        var output = estimator.Fit(data).Transform(data);

        var column = output.Schema["Image"];
        Assert.AreEqual(isRandom, column.Annotations.Schema.GetColumnOrNull("MLNetCnn.RandomPerPass") is not null);
        var schemaShape = estimator.GetOutputSchema(ShapeOf(data.Schema)).Single(c => c.Name == "Image");
        if (!isRandom)
        {
            // Normalised values are not pixels: the image becomes a CHW vector.
            CollectionAssert.AreEqual(new[] { 3, outputSize, outputSize }, ((VectorDataViewType)column.Type).Dimensions.ToArray());
            Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, schemaShape.Kind);
            Assert.IsTrue(output.GetColumn<float[]>("Image").All(v => v.Length == 3 * outputSize * outputSize));
            return;
        }
        var imageType = (ImageDataViewType)column.Type;
        Assert.AreEqual((outputSize, outputSize), (imageType.Height, imageType.Width));
        Assert.IsInstanceOfType<ImageDataViewType>(schemaShape.ItemType);
        int rows = 0;
        bool changed = false;
        using var cursor = output.GetRowCursor([column]);
        var getter = cursor.GetGetter<MLImage>(column);
        MLImage image = null!;
        while (cursor.MoveNext())
        {
            getter(ref image);
            Assert.AreEqual((outputSize, outputSize), (image.Height, image.Width));
            changed |= outputSize != Size || !image.Pixels.SequenceEqual(ImagePixels.ToImage(Colour.Image(rows), Colour.Shape).Pixels);
            rows++;
        }
        image?.Dispose();
        Assert.AreEqual(Colour.Count, rows);
        Assert.IsTrue(changed, "the stage changes some images");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TheSameSeedRepeatsEveryPassAndEachPassDrawsAfresh()
    {
        List<float[]>[] TwoPasses(int seed)
        {
            var mlContext = new MLContext(seed: seed + 100);
            var data = mlContext.Data.LoadFromImageDataset(Colour);
            var pipeline = mlContext.Transforms.RandomCrop(new RandomCropOptions { Height = Size, Width = Size, Padding = 3, Seed = seed })
                .Append(mlContext.Transforms.RandomHorizontalFlip(new RandomFlipOptions { Seed = seed + 1 }))
                .Append(mlContext.Transforms.RandomAffine(new RandomAffineOptions { Degrees = 10, Seed = seed + 2 }));
            var output = pipeline.Fit(data).Transform(data);
            return [[.. output.GetColumn<float[]>("Features")], [.. output.GetColumn<float[]>("Features")]];
        }

        var first = TwoPasses(seed: 5);
        var again = TwoPasses(seed: 5);
        var other = TwoPasses(seed: 6);

        for (int pass = 0; pass < 2; pass++)
        {
            for (int row = 0; row < Colour.Count; row++)
                CollectionAssert.AreEqual(first[pass][row], again[pass][row], $"pass {pass}, row {row}");
        }
        Assert.IsGreaterThan(Colour.Count / 2, Enumerable.Range(0, Colour.Count).Count(row => !first[0][row].SequenceEqual(first[1][row])));
        Assert.IsGreaterThan(Colour.Count / 2, Enumerable.Range(0, Colour.Count).Count(row => !first[0][row].SequenceEqual(other[0][row])));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void WithoutASeedTheMLContextSeedDecides()
    {
        float[] FirstPass(int contextSeed)
        {
            var mlContext = new MLContext(seed: contextSeed);
            var data = mlContext.Data.LoadFromImageDataset(Colour);
            var output = mlContext.Transforms.RandomErasing(probability: 1).Fit(data).Transform(data);
            return [.. output.GetColumn<float[]>("Features").SelectMany(v => v)];
        }

        CollectionAssert.AreEqual(FirstPass(3), FirstPass(3));
        CollectionAssert.AreNotEqual(FirstPass(3), FirstPass(4));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void NormalizingAugmentedImagesKeepsThemMarkedAsDrawnAfresh()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(Colour);

        var plain = mlContext.Transforms.NormalizeChannels().Fit(data).Transform(data);
        var augmented = mlContext.Transforms.RandomVerticalFlip().Append(mlContext.Transforms.NormalizeChannels()).Fit(data).Transform(data);

        Assert.IsNull(plain.Schema["Features"].Annotations.Schema.GetColumnOrNull("MLNetCnn.RandomPerPass"));
        Assert.IsNotNull(augmented.Schema["Features"].Annotations.Schema.GetColumnOrNull("MLNetCnn.RandomPerPass"));
        var values = plain.GetColumn<float[]>("Features").SelectMany(v => v).ToArray();
        Assert.AreEqual(0, values.Average(), 1e-3);
        Assert.AreEqual(1, Math.Sqrt(values.Average(v => (double)v * v)), 1e-3);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void BadColumnsAndSizesAreNamed()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromImageDataset(Colour);

        var tooBig = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.RandomCrop(20, 20).Fit(data));
        StringAssert.Contains(tooBig.Message, "'Features'");
        StringAssert.Contains(tooBig.Message, "20x20");
        var notImages = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.RandomHorizontalFlip("Label").Fit(data));
        StringAssert.Contains(notImages.Message, "'Label'");
        var missing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            mlContext.Transforms.ColorJitter(brightness: 0.2, inputColumnName: "Pixels").GetOutputSchema(ShapeOf(data.Schema)));
        StringAssert.Contains(missing.Message, "'Pixels'");
        var badOption = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.RandomAffine(degrees: 270));
        StringAssert.Contains(badOption.Message, "Degrees");
        var halfGiven = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Transforms.NormalizeChannels(new NormalizeChannelsOptions { Mean = [1, 2, 3] }));
        StringAssert.Contains(halfGiven.Message, "Std");
    }

    // ML.NET keeps SchemaShape.Create internal; EstimatorChain.Fit calls it the same way.
    internal static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!.Invoke(null, [schema])!;

    internal static IEstimator<ITransformer> Stage(MLContext mlContext, string stage, string output, string? input) => stage switch
    {
        "RandomCrop" => mlContext.Transforms.RandomCrop(10, 10, padding: 1, output, input),
        "RandomHorizontalFlip" => mlContext.Transforms.RandomHorizontalFlip(output, input),
        "RandomVerticalFlip" => mlContext.Transforms.RandomVerticalFlip(output, input),
        "RandomResizedCrop" => mlContext.Transforms.RandomResizedCrop(8, 8, output, input),
        "RandomAffine" => mlContext.Transforms.RandomAffine(degrees: 15, translate: 0.1, minScale: 0.9, maxScale: 1.1, shear: 5, output, input),
        "ColorJitter" => mlContext.Transforms.ColorJitter(0.3, 0.3, 0.3, output, input),
        "PcaLighting" => mlContext.Transforms.PcaLighting(0.5, output, input),
        "RandomErasing" => mlContext.Transforms.RandomErasing(0.8, output, input),
        "NormalizeChannels" => mlContext.Transforms.NormalizeChannels(output, input),
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, null),
    };

    internal static IEnumerable<ImageRow> ImageRows(ImageDataset images) =>
        Enumerable.Range(0, images.Count).Select(i => new ImageRow { Label = $"class{images.Labels[i]}", Image = ImagePixels.ToImage(images.Image(i), images.Shape) });

    internal sealed class ImageRow
    {
        public string Label { get; set; } = "";

        [ImageType(Size, Size)]
        public MLImage Image { get; set; } = null!;
    }
}
