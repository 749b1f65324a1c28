using System.CommandLine;
using MLNetCnn.Estimators;
using MLNetCnn.Training;

namespace MLNetCnn.Cli.Commands;

/// <summary>
/// The learning-rate schedule. Unset flags take the options <paramref name="defaults"/> picks for the command line, whose
/// schedule <paramref name="defaultSchedule"/> names for the help.
/// </summary>
internal sealed class ScheduleFlags(Func<ParseResult, CnnClassificationTrainer.Options> defaults, string defaultSchedule) : TrainerFlags
{
    /// <summary>Flags that default to <paramref name="defaults"/>' settings.</summary>
    public ScheduleFlags(CnnClassificationTrainer.Options defaults)
        : this(_ => defaults, defaults.Schedule.ToString().ToLowerInvariant())
    {
    }

    private readonly Option<ScheduleKind?> _schedule = new("--schedule")
    {
        Description = $"constant, step, multistep, cosine or onecycle (stepped every mini-batch); default: {defaultSchedule}.",
    };
    private readonly Option<double> _warmupEpochs = new("--warmup-epochs") { Description = "Epochs of linear learning-rate warm-up (fractions allowed; not with onecycle)." };
    private readonly Option<int> _stepEpochs = new("--step-epochs") { Description = "Period in epochs of the step schedule.", DefaultValueFactory = _ => CommonOptions.TrainerDefaults.StepEpochs };
    private readonly Option<int[]> _milestones = new("--milestones") { Description = "Epochs (after warm-up) at which the multistep schedule decays, e.g. --milestones 5 8.", AllowMultipleArgumentsPerToken = true };
    private readonly Option<double> _gamma = new("--gamma") { Description = "Decay factor of the step and multistep schedules.", DefaultValueFactory = _ => CommonOptions.TrainerDefaults.Gamma };
    private readonly Option<double> _minLearningRate = new("--min-lr") { Description = "Learning rate the cosine schedule ends at." };

    protected override IEnumerable<Option> Flags => [_schedule, _warmupEpochs, _stepEpochs, _milestones, _gamma, _minLearningRate];

    /// <inheritdoc/>
    public override void ApplyTo(ParseResult parse, CnnClassificationTrainer.Options options)
    {
        var chosen = parse.GetValue(_schedule);
        options.Schedule = chosen ?? defaults(parse).Schedule;
        options.WarmupEpochs = parse.GetValue(_warmupEpochs);
        if (chosen is null && options.Schedule == ScheduleKind.OneCycle)
        {
            // The trainer's messages would name its options; here the user has not chosen the schedule they refuse.
            if (options.WarmupEpochs > 0)
                throw new ArgumentException(
                    "--warmup-epochs needs a --schedule (cosine, for example): the default, onecycle, warms up in its first phase.");
            if (options.BackboneLearningRateFactor != 1)
                throw new ArgumentException(
                    "--backbone-lr-factor needs a --schedule other than the default, onecycle (cosine, for example).");
        }
        options.StepEpochs = parse.GetValue(_stepEpochs);
        options.Milestones = parse.GetValue(_milestones) ?? [];
        options.Gamma = parse.GetValue(_gamma);
        options.MinLearningRate = parse.GetValue(_minLearningRate);
    }
}
