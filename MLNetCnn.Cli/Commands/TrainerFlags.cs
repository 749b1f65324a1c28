using System.CommandLine;
using MLNetCnn.Estimators;

namespace MLNetCnn.Cli.Commands;

/// <summary>A group of flags that set trainer options, added to each command that takes them.</summary>
internal abstract class TrainerFlags
{
    /// <summary>The flags, in the order help lists them.</summary>
    protected abstract IEnumerable<Option> Flags { get; }

    /// <summary>Adds the flags to a command.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in Flags)
            command.Options.Add(option);
    }

    /// <summary>Sets the trainer options from the parsed flags.</summary>
    public abstract void ApplyTo(ParseResult parse, CnnClassificationTrainer.Options options);
}
