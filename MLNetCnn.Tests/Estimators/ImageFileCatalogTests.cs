using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Tests.Estimators;

[TestClass]
public sealed class ImageFileCatalogTests
{
    [TestCategory("Fast")]
    [TestMethod]
    public void AClassFolderLoadsGreyAndColourImagesOfAnySizeResizedWithTheFolderNamesAsLabels()
    {
        var folder = TestFolders.Create();
        ImageFiles.Write(Path.Combine(folder, "cat", "one.png"), 0, width: 40, height: 30);
        ImageFiles.Write(Path.Combine(folder, "cat", "deeper", "two.jpg"), 0, width: 9, height: 9, grey: true);
        ImageFiles.Write(Path.Combine(folder, "dog", "three.png"), 1, width: 16, height: 64, grey: true);
        File.WriteAllText(Path.Combine(folder, "dog", "notes.txt"), "not an image, and not an image extension");
        var mlContext = new MLContext();

        var data = mlContext.Data.LoadImageFolder(folder, imageWidth: 12, imageHeight: 10);

        var rows = Rows(data);
        CollectionAssert.AreEqual(new[] { "cat", "cat", "dog" }, rows.Select(r => r.Label).ToArray());
        Assert.IsTrue(rows.All(r => r.Width == 12 && r.Height == 10), "every image is resized");
        Assert.IsTrue(rows.All(r => Path.IsPathFullyQualified(r.Path)));
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AFolderLinkIntoACycleIsNotFollowedAndALinkedFileIsReadOnce()
    {
        var folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 3);
        Directory.CreateSymbolicLink(Path.Combine(folder, "a", "loop"), "..");
        File.CreateSymbolicLink(Path.Combine(folder, "a", "again.png"), Path.Combine(folder, "a", "0.png"));
        var mlContext = new MLContext();

        var labels = Rows(mlContext.Data.LoadImageFolder(folder, 12, 12)).Select(r => r.Label).ToArray();
        var unlabelled = mlContext.Data.LoadImageFiles([folder, Path.Combine(folder, "b", "0.png")], new ImageFileOptions { ImageWidth = 12, ImageHeight = 12 });

        CollectionAssert.AreEqual(new[] { "a", "a", "a", "b", "b", "b" }, labels);
        Assert.HasCount(6, unlabelled.Preview().RowView, "every file once, the named one included");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnImageOverThePixelLimitIsRefusedFromItsHeaderNamingTheFileOrSkipped()
    {
        var folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 2);
        string bomb = ImageFiles.WriteBlankPng(Path.Combine(folder, "a", "bomb.png"), 46_000, 46_000);
        var mlContext = new MLContext();
        var skipped = new List<UnreadableImage>();

        var refused = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.Data.LoadImageFolder(folder, 12, 12));
        var tightLimit = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.Data.LoadImageFiles([Path.Combine(folder, "b", "0.png")],
            new ImageFileOptions { ImageWidth = 12, ImageHeight = 12, MaxImagePixels = 100 }));
        var rows = Rows(mlContext.Data.LoadImageFolder(folder, new ImageFileOptions
        {
            ImageWidth = 12, ImageHeight = 12, SkipUnreadableImages = true, OnImageSkipped = skipped.Add,
        }));

        Assert.IsLessThan(4_000_000L, new FileInfo(bomb).Length, "small on disk");
        StringAssert.Contains(refused.Message, bomb);
        StringAssert.Contains(refused.Message, "46000x46000");
        StringAssert.Contains(tightLimit.Message, "12x12");
        StringAssert.Contains(tightLimit.Message, "MaxImagePixels");
        Assert.HasCount(4, rows);
        Assert.AreEqual(bomb, skipped.Single().Path);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AHeaderlessListOfFilesWithoutExtensionsKeepsItsFirstRow()
    {
        var folder = TestFolders.Create();
        foreach (var (name, label) in new[] { ("first", 0), ("second", 1), ("third", 0) })
            File.Move(ImageFiles.Write(Path.Combine(folder, name + ".png"), label), Path.Combine(folder, name));
        string list = Path.Combine(folder, "list.csv");
        File.WriteAllLines(list, ["first,a", "second,b", "third,a"]);

        var rows = Rows(new MLContext().Data.LoadImageList(list, new ImageFileOptions { ImageWidth = 8, ImageHeight = 8 }));

        CollectionAssert.AreEqual(new[] { "a", "b", "a" }, rows.Select(r => r.Label).ToArray());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AnUnreadableImageStopsLoadingWithItsName()
    {
        var folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 2);
        string broken = Path.Combine(folder, "b", "broken.png");
        File.WriteAllText(broken, "this is not a PNG");

        var error = Assert.ThrowsExactly<InvalidDataException>(() => new MLContext().Data.LoadImageFolder(folder, 12, 12));

        StringAssert.Contains(error.Message, broken);
        StringAssert.Contains(error.Message, "skip");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void TruncatedPngAndJpegFilesAreNamedAsTruncated()
    {
        var folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 1);
        var mlContext = new MLContext();
        foreach (var name in new[] { "cut.png", "cut.jpg" })
        {
            string file = ImageFiles.Write(Path.Combine(folder, "a", name), 0, width: 40, height: 40);
            var bytes = File.ReadAllBytes(file);
            File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);

            var error = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.Data.LoadImageFolder(folder, 12, 12));

            StringAssert.Contains(error.Message, file);
            StringAssert.Contains(error.Message, "truncated");
            File.Delete(file);
        }
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void UnreadableImagesAreSkippedAndReportedWhenAsked()
    {
        var folder = ImageFiles.ClassFolder(TestFolders.Create(), classes: 2, perClass: 2);
        File.WriteAllText(Path.Combine(folder, "a", "broken.png"), "this is not a PNG");
        File.WriteAllBytes(Path.Combine(folder, "b", "empty.jpg"), []);
        var skipped = new List<UnreadableImage>();

        var data = new MLContext().Data.LoadImageFolder(folder, new ImageFileOptions
        {
            ImageWidth = 12, ImageHeight = 12, SkipUnreadableImages = true, OnImageSkipped = skipped.Add,
        });

        Assert.HasCount(4, Rows(data));
        Assert.HasCount(2, skipped);
        StringAssert.Contains(skipped.Single(s => s.Path.EndsWith("empty.jpg", StringComparison.Ordinal)).Reason, "empty");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ACsvListWithAHeaderResolvesPathsFromItsFolder()
    {
        var folder = TestFolders.Create();
        ImageFiles.Write(Path.Combine(folder, "images", "x.png"), 0);
        ImageFiles.Write(Path.Combine(folder, "images", "y.jpg"), 1, width: 20, height: 8);
        string list = Path.Combine(folder, "list.csv");
        File.WriteAllLines(list, ["file,label", "images/x.png,zero", "\"images/y.jpg\",\"one, with a comma\""]);

        var rows = Rows(new MLContext().Data.LoadImageList(list, new ImageFileOptions { ImageWidth = 8, ImageHeight = 8 }));

        CollectionAssert.AreEqual(new[] { "zero", "one, with a comma" }, rows.Select(r => r.Label).ToArray());
        Assert.AreEqual(Path.Combine(folder, "images", "y.jpg"), rows[1].Path);
        Assert.AreEqual(8, rows[1].Width);
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void ATsvListWithoutAHeaderIsReadTabSeparated()
    {
        var folder = TestFolders.Create();
        string image = ImageFiles.Write(Path.Combine(folder, "x.png"), 0);
        string list = Path.Combine(folder, "list.tsv");
        File.WriteAllLines(list, [$"{image}\tfirst", "x.png\tsecond"]);

        var rows = Rows(new MLContext().Data.LoadImageList(list, new ImageFileOptions { ImageWidth = 12, ImageHeight = 12 }));

        CollectionAssert.AreEqual(new[] { "first", "second" }, rows.Select(r => r.Label).ToArray());
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AListLineWithoutALabelOrWithAMissingFileIsNamed()
    {
        var folder = TestFolders.Create();
        ImageFiles.Write(Path.Combine(folder, "x.png"), 0);
        string noLabel = Path.Combine(folder, "nolabel.csv");
        File.WriteAllLines(noLabel, ["x.png,a", "x.png"]);
        string missingFile = Path.Combine(folder, "missing.csv");
        File.WriteAllLines(missingFile, ["x.png,a", "gone.png,b"]);
        var mlContext = new MLContext();
        var options = new ImageFileOptions { ImageWidth = 12, ImageHeight = 12 };

        var labelError = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.Data.LoadImageList(noLabel, options));
        var fileError = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.Data.LoadImageList(missingFile, options));
        var listError = Assert.ThrowsExactly<FileNotFoundException>(() => mlContext.Data.LoadImageList(Path.Combine(folder, "none.csv"), options));

        StringAssert.Contains(labelError.Message, "Row 2");
        StringAssert.Contains(labelError.Message, noLabel);
        StringAssert.Contains(fileError.Message, Path.Combine(folder, "gone.png"));
        StringAssert.Contains(listError.Message, "none.csv");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void AFolderWithoutClassSubfoldersOrMissingIsRejectedWithTheLayout()
    {
        var folder = TestFolders.Create();
        ImageFiles.Write(Path.Combine(folder, "loose.png"), 0);
        var mlContext = new MLContext();

        var layout = Assert.ThrowsExactly<InvalidDataException>(() => mlContext.Data.LoadImageFolder(folder, 12, 12));
        var missing = Assert.ThrowsExactly<DirectoryNotFoundException>(() => mlContext.Data.LoadImageFolder(Path.Combine(folder, "nope"), 12, 12));
        var size = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Data.LoadImageFolder(folder, 0, 12));

        StringAssert.Contains(layout.Message, "subfolder");
        StringAssert.Contains(missing.Message, "nope");
        StringAssert.Contains(size.Message, "ImageWidth");
    }

    [TestCategory("Fast")]

    [TestMethod]
    public void PlainFilesAndFoldersLoadUnlabelledInTheOrderGiven()
    {
        var folder = TestFolders.Create();
        string single = ImageFiles.Write(Path.Combine(folder, "single.jpg"), 1);
        ImageFiles.Write(Path.Combine(folder, "more", "b.png"), 0);
        ImageFiles.Write(Path.Combine(folder, "more", "a.png"), 0);

        var data = new MLContext().Data.LoadImageFiles([single, Path.Combine(folder, "more")], new ImageFileOptions { ImageWidth = 5, ImageHeight = 5 });

        Assert.IsNull(data.Schema.GetColumnOrNull("Label"));
        var paths = data.GetColumn<string>("ImagePath").Select(Path.GetFileName).ToArray();
        CollectionAssert.AreEqual(new[] { "single.jpg", "a.png", "b.png" }, paths);
        Assert.ThrowsExactly<FileNotFoundException>(() => new MLContext().Data.LoadImageFiles([Path.Combine(folder, "none.png")], new ImageFileOptions { ImageWidth = 5, ImageHeight = 5 }));
    }

    private static List<(string Label, string Path, int Width, int Height)> Rows(IDataView data)
    {
        var rows = new List<(string, string, int, int)>();
        using var cursor = data.GetRowCursor(data.Schema);
        var label = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema["Label"]);
        var path = cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema["ImagePath"]);
        var image = cursor.GetGetter<MLImage>(data.Schema["Image"]);
        ReadOnlyMemory<char> labelValue = default, pathValue = default;
        MLImage imageValue = null!;
        while (cursor.MoveNext())
        {
            label(ref labelValue);
            path(ref pathValue);
            image(ref imageValue);
            rows.Add((labelValue.ToString(), pathValue.ToString(), imageValue.Width, imageValue.Height));
        }
        return rows;
    }
}
