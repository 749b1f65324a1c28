using System.Runtime.InteropServices;
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
/// that requirement is written next to it and loaded; TorchSharp's own load then finds it by its soname.
/// </remarks>
public static partial class TorchNativeLoader
{
    private const string NativeLibraryName = "LibTorchSharp";
    private const string NativeFileName = "libLibTorchSharp.so";
    private const string TorchFileName = "libtorch.so";
    private const string CompatibleFileName = "libLibTorchSharp.glibcxx-compat.so";

    private static readonly Lazy<bool> Loaded = new(Load);

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

        // Other failures (files missing, other layouts) are left to TorchSharp, whose own fallbacks and trace cover them.
        var missing = MissingVersion().Matches(failure)
            .FirstOrDefault(m => Path.GetFileName(m.Groups["path"].Value) == NativeFileName);
        if (missing is null)
        {
            return false;
        }

        var original = missing.Groups["path"].Value;
        var version = missing.Groups["version"].Value;
        // Beside the original, the copy's $ORIGIN run path resolves its dependencies exactly as the original's does.
        var compatible = Path.Combine(Path.GetDirectoryName(original)!, CompatibleFileName);
        try
        {
            var image = File.ReadAllBytes(original);
            ElfSymbolVersionRelaxer.RelaxNeededVersion(image, version);
            if (!HasContent(compatible, image))
            {
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
                + $"{exception.Message} Make the folder '{Path.GetDirectoryName(original)}' writable for this process "
                + $"(or run once as a user who can write it), or install a libstdc++ that provides {version} "
                + "(GCC 13 or later).",
                exception);
        }
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
