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
            console.Error.WriteLine($"error: {cause.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
    }
}
