// Makes this repository's build the source of the MLNetCnn packages in a notebook: each notebook's first cell loads it.
// scripts/run-notebooks.sh packs the build into artifacts/packages (MLNETCNN_LOCAL_PACKAGES names another folder), with
// the version 0.0.0-local-<hash of the build> that the notebooks' #r lines ask for.
var localPackages = System.Environment.GetEnvironmentVariable("MLNETCNN_LOCAL_PACKAGES") is { Length: > 0 } localFolder
    ? localFolder
    : System.IO.Path.GetFullPath(System.IO.Path.Combine("..", "artifacts", "packages"));
if (!System.IO.Directory.Exists(localPackages) || System.IO.Directory.GetFiles(localPackages, "MLNetCnn.*.nupkg").Length == 0)
    throw new System.IO.FileNotFoundException(
        $"No MLNetCnn packages in '{localPackages}': run `bash scripts/run-notebooks.sh --pack` in the repository first.");
await Microsoft.DotNet.Interactive.Kernel.Root.SendAsync(
    new Microsoft.DotNet.Interactive.Commands.SubmitCode($"#i \"nuget: {localPackages}\"", "csharp"));
