using MLNetCnn.Runtime;

namespace MLNetCnn.Cli;

/// <summary>Runs a command's work: exit code 0 on success, 1 with a one-line error on failure.</summary>
internal static class CommandRunner
{
    public static int Run(CliConsole console, Action work)
    {
        try
        {
            work();
            return 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var cause = e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;
            string message = FindInChain<CudaUnavailableException>(e) is { } cuda ? CudaDeviceError.Message(cuda) : cause.Message;
            console.Error.WriteLine($"error: {message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }

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
