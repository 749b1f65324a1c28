using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TorchSharp;

namespace MLNetCnn.Runtime;

/// <summary>
/// Makes TorchSharp's native library loadable on Linux systems whose C++ runtime is older than the one
/// TorchSharp was built against.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> needs <c>GLIBCXX_3.4.32</c> (libstdc++ from GCC 13) only
/// for a symbol it never calls. When the original library fails to load for that reason, a copy without
/// that requirement is loaded instead; TorchSharp's own load then finds it by its soname. An application's
/// copy is written next to the original, in the application's folder. Notebooks and scripts (.NET Interactive,
/// F# Interactive) have no such folder: there TorchSharp itself would copy the package cache's native files to a
/// folder of its own and load them from there, so the original is taken from the NuGet package folder as
/// TorchSharp finds it, and the copy is written to a per-user cache (<c>$XDG_CACHE_HOME/mlnetcnn</c> or
/// <c>~/.cache/mlnetcnn</c>), never into the shared package cache.
/// </remarks>
public static partial class TorchNativeLoader
{
    private const string NativeLibraryName = "LibTorchSharp";
    private const string NativeFileName = "libLibTorchSharp.so";
    private const string TorchFileName = "libtorch.so";
    private const string CompatibleFileName = "libLibTorchSharp.glibcxx-compat.so";

    private static readonly Lazy<bool> Loaded = new(() =>
    {
        OneDnnInstructionSetLimit.ApplyWhereCachesAreUnknown();
        bool loaded = Load();
        if (loaded)
            NnpackSwitch.DisableWhereUnsupported();
        return loaded;
    });

    /// <summary>
    /// Prepares TorchSharp's native library for loading. Call it before the first use of
    /// <see cref="torch"/>; later calls return immediately. Does nothing on platforms other than Linux
    /// or when the native library loads as it is.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The native library needs a newer C++ runtime and a compatible copy could not be written or loaded;
    /// the message names the file, the reason and the remedies. Later calls throw the same exception.
    /// </exception>
    public static void EnsureLoaded() => _ = Loaded.Value;

    private static bool Load()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        // When the app runs from the NuGet cache, libtorch.so is not beside libLibTorchSharp.so, so its $ORIGIN
        // run path cannot find it; once loaded, it satisfies that dependency by its soname.
        if (FindInNativeSearchDirectories(TorchFileName) is { } libtorch)
        {
            NativeLibrary.TryLoad(libtorch, out _);
        }

        string failure;
        try
        {
            NativeLibrary.Load(NativeLibraryName, typeof(torch).Assembly, null);
            return true;
        }
        catch (DllNotFoundException exception)
        {
            failure = exception.Message;
        }

        if (MissingVersionOf(failure) is { } missing)
        {
            var (original, version) = missing;
            return LoadCompatibleCopy(original, version, Path.GetDirectoryName(original)!);
        }

        // Notebooks and scripts: no application folder holds the native files, they are in the NuGet package folder.
        if (TorchSharpPackages.Find() is not { } packages)
        {
            return false;
        }

        // Loaded first, libtorch.so (with libc10.so and libtorch_cpu.so beside it) satisfies libLibTorchSharp.so's
        // dependencies by their sonames wherever the copy is.
        NativeLibrary.Load(packages.Libtorch);
        try
        {
            NativeLibrary.Load(packages.LibTorchSharp);
            return true;
        }
        catch (DllNotFoundException exception) when (MissingVersionOf(exception.Message) is { } needed)
        {
            var digest = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(packages.LibTorchSharp)))[..16];
            return LoadCompatibleCopy(packages.LibTorchSharp, needed.Version, Path.Combine(UserCacheFolder(), digest));
        }
    }

    private static (string Original, string Version)? MissingVersionOf(string failure) =>
        MissingVersion().Matches(failure)
            .Where(m => Path.GetFileName(m.Groups["path"].Value) == NativeFileName)
            .Select(m => ((string Original, string Version)?)(m.Groups["path"].Value, m.Groups["version"].Value))
            .FirstOrDefault();

    private static bool LoadCompatibleCopy(string original, string version, string folder)
    {
        var compatible = Path.Combine(folder, CompatibleFileName);
        try
        {
            var image = File.ReadAllBytes(original);
            ElfSymbolVersionRelaxer.RelaxNeededVersion(image, version);
            if (!HasContent(compatible, image))
            {
                Directory.CreateDirectory(folder);
                WriteAtomically(compatible, image);
            }

            NativeLibrary.Load(compatible);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException
            or InvalidDataException or DllNotFoundException or BadImageFormatException)
        {
            throw new InvalidOperationException(
                $"TorchSharp's native library '{original}' needs {version}, which the C++ runtime of this system "
                + $"(libstdc++) does not provide, and a compatible copy '{compatible}' could not be prepared: "
                + $"{exception.Message} Make the folder '{folder}' writable for this process "
                + $"(or run once as a user who can write it), or install a libstdc++ that provides {version} "
                + "(GCC 13 or later).",
                exception);
        }
    }

    // The XDG base directory convention for per-user caches on Linux.
    private static string UserCacheFolder()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache) || !Path.IsPathRooted(cache))
        {
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        }

        return Path.Combine(cache, "mlnetcnn", "native");
    }

    private static string? FindInNativeSearchDirectories(string fileName) =>
        (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") as string ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, fileName))
            .FirstOrDefault(File.Exists);

    private static bool HasContent(string path, byte[] expected)
    {
        try
        {
            return new FileInfo(path).Length == expected.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(expected);
        }
        catch (FileNotFoundException)
        {
            return false;
        }
    }

    // Other processes may load the copy at any moment, so it only ever appears complete, by rename.
    private static void WriteAtomically(string path, byte[] content)
    {
        var temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    [GeneratedRegex(@"version `(?<version>[^']+)' not found \(required by (?<path>.+)\)\s*$", RegexOptions.Multiline)]
    private static partial Regex MissingVersion();
}
