using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MLNetCnn.Tests.Notebooks;

/// <summary>
/// What the committed notebooks promise a reader on GitHub and a user with a fresh clone: outputs made by
/// <c>scripts/run-notebooks.sh</c> from exactly the committed code (the hash it records), pictures among them, cell ids,
/// an opening that says what the notebook shows and needs and how to switch to the published packages, the TorchSharp
/// backend pinned as the library is built, and how to run on a GPU.
/// </summary>
[TestClass]
public sealed partial class CommittedNotebookTests
{
    public static IEnumerable<object[]> Notebooks =>
        Directory.GetFiles(RepositoryFolder.Notebooks, "*.ipynb").Order().Select(path => new object[] { Path.GetFileName(path) });

    [TestMethod]
    [DynamicData(nameof(Notebooks))]
    public void CarriesTheOutputsOfItsOwnCodeWithPictures(string fileName)
    {
        var notebook = Notebook.Load(Path.Combine(RepositoryFolder.Notebooks, fileName));

        string regenerate = "run `bash scripts/run-notebooks.sh` and commit the notebooks";
        Assert.IsNotNull(notebook.RecordedSourceHash, $"{fileName} carries no outputs of scripts/run-notebooks.sh: {regenerate}");
        Assert.AreEqual(notebook.SourceHash, notebook.RecordedSourceHash, $"{fileName}'s outputs were made from other code: {regenerate}");
        var notRun = notebook.Cells.Where(cell => cell.IsCode && cell.ExecutionCount is null).Select(cell => cell.Number).ToList();
        Assert.IsEmpty(notRun, $"{fileName}: code cells without a run: {string.Join(", ", notRun)}");
        Assert.IsFalse(notebook.Outputs.OfType<ErrorOutput>().Any(), $"{fileName} carries an error");
        Assert.IsTrue(notebook.Images.Any(), $"{fileName} shows no image/png");
        Assert.DoesNotContain(RepositoryFolder.Root, notebook.Text, $"{fileName}'s outputs name this machine's folders");
    }

    [TestMethod]
    [DynamicData(nameof(Notebooks))]
    public void HasCellIdsAnOpeningAndAGpuNote(string fileName)
    {
        var notebook = Notebook.Load(Path.Combine(RepositoryFolder.Notebooks, fileName));

        Assert.IsGreaterThanOrEqualTo(5, notebook.MinorFormat, $"{fileName}: nbformat 4.5 or later, whose cells have ids");
        var ids = notebook.Cells.Select(cell => cell.Id).ToList();
        Assert.IsTrue(ids.All(id => !string.IsNullOrEmpty(id)) && ids.Distinct().Count() == ids.Count, $"{fileName}: a unique id per cell");
        var opening = notebook.Cells[0];
        Assert.IsFalse(opening.IsCode, $"{fileName} opens with text");
        foreach (var promise in new[] { "**What this shows.**", "**What it needs.**", "local-build.csx", "published packages", "#r \"nuget: MLNetCnn." })
            StringAssert.Contains(opening.Source, promise, $"{fileName}'s opening");
        StringAssert.Contains(notebook.Cells[1].Source, "#load \"local-build.csx\"", $"{fileName}: the first code cell uses the local build");
        StringAssert.Contains(notebook.Cells[^1].Source, "GPU", $"{fileName} ends with how to scale up on a GPU");
    }

    [TestMethod]
    [DynamicData(nameof(Notebooks))]
    public void ReferencesTheLocalBuildAndTheTorchSharpBackendThatTheLibraryIsBuiltWith(string fileName)
    {
        var notebook = Notebook.Load(Path.Combine(RepositoryFolder.Notebooks, fileName));
        var pins = XDocument.Load(Path.Combine(RepositoryFolder.Root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);

        var references = notebook.Cells.Where(cell => cell.IsCode).SelectMany(cell => PackageReference().Matches(cell.Source)).ToList();
        Assert.IsNotEmpty(references, $"{fileName} references no package");
        foreach (var reference in references)
        {
            string id = reference.Groups["id"].Value, version = reference.Groups["version"].Value;
            if (id.StartsWith("MLNetCnn", StringComparison.OrdinalIgnoreCase))
                Assert.AreEqual("0.0.0-local-*", version, $"{fileName}: {id} from this repository's build");
            else
                Assert.AreEqual(pins.GetValueOrDefault(id), version, $"{fileName}: {id} at the version of Directory.Packages.props");
        }
        Assert.IsTrue(references.Any(r => r.Groups["id"].Value == "TorchSharp-cpu"), $"{fileName} picks TorchSharp's CPU backend");
    }

    [GeneratedRegex(@"^#r ""nuget: (?<id>[\w.-]+), (?<version>[^""]+)""", RegexOptions.Multiline)]
    private static partial Regex PackageReference();
}
