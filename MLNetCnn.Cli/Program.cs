using System.CommandLine;
using System.CommandLine.Invocation;
using MLNetCnn.Cli.Commands;
using MLNetCnn.Runtime;

namespace MLNetCnn.Cli;

/// <summary>The <c>mlnetcnn</c> command line. Each command is one file under Commands/ with a <c>Create(CliConsole)</c>, listed here.</summary>
internal static class Program
{
    private static readonly Func<CliConsole, Command>[] Commands =
    [
        TrainCommand.Create,
        EvaluateCommand.Create,
        PredictCommand.Create,
        SummaryCommand.Create,
        AugmentPreviewCommand.Create,
        LrFindCommand.Create,
        CompareCommand.Create,
        WorkerCommand.Create,
        ExportCommand.Create,
        ExplainCommand.Create,
        FeaturesCommand.Create,
    ];

    /// <summary>
    /// Keeps the native memory TorchSharp frees for reuse (see <see cref="NativeMemoryTuning"/>) before anything is
    /// allocated, then runs the command line. In <see cref="Main"/> only: <see cref="Run"/> also serves tests and hosts
    /// that keep their own malloc settings.
    /// </summary>
    public static int Main(string[] args)
    {
        NativeMemoryTuning.KeepFreedMemory();
        return Run(args, CliConsole.ForProcess());
    }

    /// <summary>Parses and runs one command line against <paramref name="console"/>; returns the exit code.</summary>
    public static int Run(string[] args, CliConsole console)
    {
        var root = new RootCommand("mlnetcnn: train, evaluate and use convolutional image classifiers (LeNet-5 to MobileNet) with ML.NET and TorchSharp.");
        var verbose = new Option<bool>("--verbose") { Description = "On failure, also write the error's stack trace.", Recursive = true };
        root.Add(verbose);
        foreach (var create in Commands)
            root.Add(create(console));
        var parsed = root.Parse(args);
        console.Verbose = parsed.GetValue(verbose);
        if (parsed.Action is ParseErrorAction parseError)
            parseError.ShowHelp = false;
        return parsed.Invoke(new InvocationConfiguration { Output = console.Output, Error = console.Error });
    }
}
