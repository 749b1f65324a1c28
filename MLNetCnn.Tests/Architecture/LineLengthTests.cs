using MLNetCnn.Tests.Notebooks;

namespace MLNetCnn.Tests.Architecture;

/// <summary>
/// Lines of C# stay within <see cref="MaxLength"/> characters. Files that still hold longer lines are listed with their
/// count in <c>long-lines.txt</c> beside this test; the count may only fall (lower it when you shorten lines), and a
/// file not listed may have none.
/// </summary>
[TestClass]
public sealed class LineLengthTests
{
    private const int MaxLength = 140;

    [TestCategory("Fast")]

    [TestMethod]
    public void NoCSharpFileGainsLinesOverTheLimit()
    {
        var allowed = File.ReadAllLines(Path.Combine(RepositoryFolder.Root, "MLNetCnn.Tests", "Architecture", "long-lines.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', 2))
            .ToDictionary(p => p[1], p => int.Parse(p[0], System.Globalization.CultureInfo.InvariantCulture));
        var grown = new List<string>();
        foreach (var (file, count) in LongLineCounts())
        {
            int limit = allowed.GetValueOrDefault(file);
            if (count > limit)
                grown.Add($"{file}: {count} lines over {MaxLength} characters (allowed {limit})");
        }
        Assert.IsEmpty(grown, string.Join(Environment.NewLine, grown));
    }

    private static IEnumerable<(string File, int Count)> LongLineCounts()
    {
        string root = RepositoryFolder.Root;
        var options = new EnumerationOptions { RecurseSubdirectories = true };
        foreach (var path in Directory.EnumerateFiles(root, "*.cs", options))
        {
            string relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (relative.Split('/').Any(part => part is "bin" or "obj" or ".git" or "TestResults"))
                continue;
            int count = File.ReadLines(path).Count(l => l.Length > MaxLength);
            if (count > 0)
                yield return (relative, count);
        }
    }
}
