using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace MLNetCnn.Runtime;

internal static class LibraryInitializer
{
    /// <summary>
    /// Prepares TorchSharp's native library on the first use of any type of this library, before any of its
    /// code can touch <c>torch</c>; code that uses <c>torch</c> before this library calls
    /// <see cref="TorchNativeLoader.EnsureLoaded"/> itself.
    /// </summary>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "Loading TorchSharp's native library must precede any use of torch, on every path into the library.")]
    internal static void Initialize() => TorchNativeLoader.EnsureLoaded();
}
