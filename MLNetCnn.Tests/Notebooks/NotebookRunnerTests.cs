using System.Text.Json;

namespace MLNetCnn.Tests.Notebooks;

[TestClass]
public sealed class NotebookRunnerTests
{
    [TestMethod]
    public void RunsCSharpCellsInOrderAndCapturesWhatTheyShowAsPolyglotWould()
    {
        var run = NotebookRunner.Run(InMemory(
            "# Title",
            """
            #r "nuget: MLNetCnn.Plots"
            using MLNetCnn.Visualization;
            var image = new RgbImage(3, 2, (255, 0, 0));
            image.Set(0, 0, 0, 0, 255);
            """,
            """
            display(image);
            Console.WriteLine("hello");
            display(new[] { new { Name = "a", Value = 1 }, new { Name = "b", Value = 2 } });
            """,
            "image.Width * 10"));

        var picture = run.Images.Single();
        Assert.AreEqual((3, 3, 2), (picture.Cell, picture.Width, picture.Height));
        Assert.AreEqual((3, 2, 2), ImageFiles.Inspect(picture.Png));
        var table = run.Tables.Single();
        CollectionAssert.AreEqual(new[] { "Name", "Value" }, table.Columns.ToArray());
        CollectionAssert.AreEqual(new[] { "b", "2" }, table.Rows[1].ToArray());
        CollectionAssert.AreEqual(new[] { "hello\n", "30" }, run.Outputs.OfType<TextOutput>().Select(o => o.Text).ToArray());
    }

    [TestMethod]
    public void ACellThatDoesNotCompileFailsNamingTheNotebookTheCellAndTheCompilerError()
    {
        var failure = Assert.ThrowsExactly<AssertFailedException>(() => NotebookRunner.Run(InMemory(
            "#r \"nuget: MLNetCnn\"\nvar names = MLNetCnn.ModelZoo.Names;",
            "var count = MLNetCnn.ModelZoo.Count;")));

        StringAssert.Contains(failure.Message, "test.ipynb, cell 2: it does not compile: (1,31): error CS0117");
        StringAssert.Contains(failure.Message, "'ModelZoo' does not contain a definition for 'Count'");
    }

    [TestMethod]
    public void ACellThatThrowsFailsNamingTheNotebookTheCellAndTheException()
    {
        var failure = Assert.ThrowsExactly<AssertFailedException>(() => NotebookRunner.Run(InMemory(
            "var answer = 42;",
            "## Text",
            "if (answer == 42) throw new InvalidOperationException(\"no question\");")));

        StringAssert.Contains(failure.Message, "test.ipynb, cell 3: InvalidOperationException: no question");
    }

    [TestMethod]
    public void PackageReferencesMustBeProjectsOfThisBuildOrPinnedAtTheBuildsVersion()
    {
        var drifted = Assert.ThrowsExactly<AssertFailedException>(() => NotebookRunner.Run(InMemory("#r \"nuget: TorchSharp-cpu, 0.106.0\"")));
        StringAssert.Contains(drifted.Message, "test.ipynb, cell 1: #r \"nuget: TorchSharp-cpu, 0.106.0\": pin 'TorchSharp-cpu' at 0.107.0");
        var foreign = Assert.ThrowsExactly<AssertFailedException>(() => NotebookRunner.Run(InMemory("#r \"nuget: Newtonsoft.Json, 13.0.3\"")));
        StringAssert.Contains(foreign.Message, "'Newtonsoft.Json' is not one the library is built with");
        var versioned = Assert.ThrowsExactly<AssertFailedException>(() => NotebookRunner.Run(InMemory("#r \"nuget: MLNetCnn.Estimators, 1.0.0\"")));
        StringAssert.Contains(versioned.Message, "without a version");
    }

    [TestMethod]
    public void ADllPathResolvesToTheAssemblyOfThisBuildByItsName()
    {
        var run = NotebookRunner.Run(InMemory("#r \"../MLNetCnn.Plots/bin/Release/net10.0/MLNetCnn.Plots.dll\"\ntypeof(MLNetCnn.Plots.Charts).Assembly.GetName().Name"));
        Assert.AreEqual("MLNetCnn.Plots", ((TextOutput)run.Outputs.Single()).Text);

        var unknown = Assert.ThrowsExactly<AssertFailedException>(() => NotebookRunner.Run(InMemory("#r \"lib/Elsewhere.dll\"")));
        StringAssert.Contains(unknown.Message, "'Elsewhere' is not a project of this repository");
    }

    // Code cells are the ones with a statement or a directive; the rest are markdown.
    private static Notebook InMemory(params string[] cells)
    {
        var json = JsonSerializer.Serialize(new
        {
            cells = cells.Select(source => source.StartsWith('#') && !source.StartsWith("#r", StringComparison.Ordinal)
                ? (object)new { cell_type = "markdown", metadata = new { }, source }
                : new { cell_type = "code", metadata = new { polyglot_notebook = new { kernelName = "csharp" } }, source }),
            metadata = new { polyglot_notebook = new { kernelInfo = new { defaultKernelName = "csharp" } } },
            nbformat = 4,
            nbformat_minor = 2,
        });
        return Notebook.Parse("test.ipynb", json);
    }
}
