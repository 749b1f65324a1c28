using System.Reflection;
using TorchSharp;

namespace MLNetCnn.Runtime;

/// <summary>
/// TorchSharp's CPU native files in the NuGet package folder, found as TorchSharp finds them when no application folder
/// holds them (notebooks and scripts, <c>torch.InitializeDeviceType</c> in TorchSharp's <c>Torch.cs</c>): the package
/// folder is the one TorchSharp.dll was loaded from, or else <c>NUGET_PACKAGES</c> or <c>~/.nuget/packages</c>.
/// </summary>
/// <param name="LibTorchSharp">TorchSharp's own native library, in the <c>torchsharp</c> package.</param>
/// <param name="Libtorch">libtorch's entry library, in the <c>libtorch-cpu-linux-x64</c> package, beside its dependencies.</param>
internal sealed record TorchSharpPackages(string LibTorchSharp, string Libtorch)
{
    private const string NativeFolder = "runtimes/linux-x64/native";
    private const string LibtorchPackage = "libtorch-cpu-linux-x64";

    /// <summary>Both files, or null when either package or file is missing.</summary>
    public static TorchSharpPackages? Find()
    {
        var assembly = typeof(torch).Assembly;
        var (packages, version) = PackageFolderAndVersion(assembly);
        if (packages is null || LibtorchVersion(assembly) is not { } libtorchVersion)
        {
            return null;
        }

        var found = new TorchSharpPackages(
            Path.Combine(packages, "torchsharp", version, NativeFolder, "libLibTorchSharp.so"),
            Path.Combine(packages, LibtorchPackage, libtorchVersion, NativeFolder, "libtorch.so"));
        return File.Exists(found.LibTorchSharp) && File.Exists(found.Libtorch) ? found : null;
    }

    private static (string? Folder, string Version) PackageFolderAndVersion(Assembly assembly)
    {
        // In a notebook: <packages>/torchsharp/<version>/lib/<framework>/TorchSharp.dll.
        var framework = new DirectoryInfo(Path.GetDirectoryName(assembly.Location) ?? ".");
        if (framework.Parent is { Name: "lib", Parent: { Parent: { Name: "torchsharp" } id } home })
        {
            return (id.Parent?.FullName, home.Name);
        }

        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            packages = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        }

        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = informational?.Split('+')[0] ?? assembly.GetName().Version!.ToString(3);
        return (Directory.Exists(packages) ? packages : null, version);
    }

    // TorchSharp states the libtorch it is built for as a constant; reading it as metadata leaves torch uninitialised.
    private static string? LibtorchVersion(Assembly assembly)
    {
        const BindingFlags Static = BindingFlags.NonPublic | BindingFlags.Static;
        if (assembly.GetType("TorchSharp.torch")?.GetField("libtorchPackageVersion", Static)?.GetRawConstantValue() is not string version)
        {
            return null;
        }

        // NuGet folders drop a zero fourth part: 2.10.0.0 is in 2.10.0.
        var parts = version.Split('.');
        return parts.Length == 4 && parts[3] == "0" ? string.Join('.', parts[..3]) : version;
    }
}
