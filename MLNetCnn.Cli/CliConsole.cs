using Spectre.Console;

namespace MLNetCnn.Cli;

/// <summary>
/// Where a command writes: plain text and JSON to <see cref="Output"/>, errors to <see cref="Error"/>, tables
/// and progress through <see cref="Ansi"/>. Colours, cursor moves and progress bars only when
/// <see cref="IsInteractive"/> (a terminal); plain lines otherwise (CI logs, redirection, tests).
/// </summary>
internal sealed class CliConsole
{
    private const int PlainWidth = 160;

    public CliConsole(TextWriter output, TextWriter error, bool isInteractive)
    {
        Output = output;
        Error = error;
        IsInteractive = isInteractive;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = isInteractive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = isInteractive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = isInteractive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        if (!isInteractive)
            Ansi.Profile.Width = PlainWidth;
    }

    /// <summary>Standard output, for plain lines and machine-readable output.</summary>
    public TextWriter Output { get; }

    /// <summary>Standard error, for the one-line error of a failed command.</summary>
    public TextWriter Error { get; }

    /// <summary>Whether output goes to a terminal, so progress bars and colours can be drawn.</summary>
    public bool IsInteractive { get; }

    /// <summary>Whether a failed command also writes the exception's stack trace (<c>--verbose</c>).</summary>
    public bool Verbose { get; set; }

    /// <summary>Tables, markup and progress on <see cref="Output"/>.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>The process's console: interactive when standard output is a terminal.</summary>
    public static CliConsole ForProcess() => new(Console.Out, Console.Error, isInteractive: !Console.IsOutputRedirected);
}
