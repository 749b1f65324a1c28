namespace MLNetCnn.Tests.Notebooks;

/// <summary>The repository the tests were built from: the nearest folder above the test's output holding <c>MLNetCnn.sln</c>.</summary>
internal static class RepositoryFolder
{
    private static readonly Lazy<string> Found = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "MLNetCnn.sln")))
                return folder.FullName;
        }
        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds MLNetCnn.sln.");
    });

    public static string Root => Found.Value;

    /// <summary>The notebooks the repository ships.</summary>
    public static string Notebooks => Path.Combine(Root, "notebooks");
}
