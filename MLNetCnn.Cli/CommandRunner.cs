using System.Runtime.InteropServices;
using MLNetCnn.Runtime;

namespace MLNetCnn.Cli;

/// <summary>
/// Runs a command's work: exit code 0 on success, 1 with a one-line error on any failure (native libtorch errors and
/// running out of memory included); the stack trace follows only with <c>--verbose</c>.
/// </summary>
internal static class CommandRunner
{
    public static int Run(CliConsole console, Action work)
    {
        try
        {
            work();
            return 0;
        }
        catch (Exception e)
        {
            var cause = e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;
            string message = FindInChain<CudaUnavailableException>(e) is { } cuda ? CudaDeviceError.Message(cuda) : OneLine(cause);
            console.Error.WriteLine($"error: {message}");
            if (console.Verbose)
                console.Error.WriteLine(cause.ToString());
            return 1;
        }
    }

    private static string OneLine(Exception e) => e switch
    {
        // libtorch's messages go on with the C++ frames they were raised from: the first line says what happened.
        ExternalException => e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? e.GetType().Name,
        OutOfMemoryException => $"out of memory ({e.Message}): try a smaller --batch-size or --image-size.",
        _ => e.Message.ReplaceLineEndings(" "),
    };

    private static T? FindInChain<T>(Exception? error) where T : Exception
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is T found)
                return found;
        }
        return null;
    }
}
