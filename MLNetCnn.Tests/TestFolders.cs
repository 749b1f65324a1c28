using MLNetCnn.Runtime;

namespace MLNetCnn.Tests;

/// <summary>
/// Temporary folders for tests, all inside one folder per test run (<c>mlnetcnn-tests-{process id}</c> in the temporary
/// folder) that the run deletes at its end. A run that was killed cannot, so each run first deletes the folders of runs
/// whose process is gone: the torchvision references alone take a gigabyte.
/// </summary>
[TestClass]
public static class TestFolders
{
    private const string RunPrefix = "mlnetcnn-tests-";

    private static readonly Lazy<string> RunFolder = new(CreateRunFolder, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Creates an empty folder that lives until the end of the test run.</summary>
    public static string Create() =>
        Directory.CreateDirectory(Path.Combine(RunFolder.Value, Guid.NewGuid().ToString("N")[..12])).FullName;

    /// <summary>Deletes the folders of this test run, and stops the PostgreSQL cluster of the study tests if they started it.</summary>
    [AssemblyCleanup]
    public static void DeleteRunFolder()
    {
        Studies.PostgresServer.Stop();
        if (RunFolder.IsValueCreated)
            Directory.Delete(RunFolder.Value, recursive: true);
    }

    private static string CreateRunFolder()
    {
        Processes.DeleteAbandonedFolders(Path.GetTempPath(), RunPrefix);
        return Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), RunPrefix + Environment.ProcessId)).FullName;
    }
}
