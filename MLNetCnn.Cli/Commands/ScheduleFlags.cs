using System.CommandLine;
using MLNetCnn.Estimators;
using MLNetCnn.Training;

namespace MLNetCnn.Cli.Commands;

/// <summary>The learning-rate schedule, shared by <c>train</c> and <c>compare</c>.</summary>
internal sealed class ScheduleFlags : TrainerFlags
{
    private readonly Option<ScheduleKind> _schedule = new("--schedule") { Description = "constant, step, multistep, cosine or onecycle (stepped every mini-batch).", DefaultValueFactory = _ => CommonOptions.TrainerDefaults.Schedule };
    private readonly Option<double> _warmupEpochs = new("--warmup-epochs") { Description = "Epochs of linear learning-rate warm-up (fractions allowed; not with onecycle)." };
    private readonly Option<int> _stepEpochs = new("--step-epochs") { Description = "Period in epochs of the step schedule.", DefaultValueFactory = _ => CommonOptions.TrainerDefaults.StepEpochs };
    private readonly Option<int[]> _milestones = new("--milestones") { Description = "Epochs (after warm-up) at which the multistep schedule decays, e.g. --milestones 5 8.", AllowMultipleArgumentsPerToken = true };
    private readonly Option<double> _gamma = new("--gamma") { Description = "Decay factor of the step and multistep schedules.", DefaultValueFactory = _ => CommonOptions.TrainerDefaults.Gamma };
    private readonly Option<double> _minLearningRate = new("--min-lr") { Description = "Learning rate the cosine schedule ends at." };

    protected override IEnumerable<Option> Flags => [_schedule, _warmupEpochs, _stepEpochs, _milestones, _gamma, _minLearningRate];

    /// <inheritdoc/>
    public override void ApplyTo(ParseResult parse, CnnClassificationTrainer.Options options)
    {
        options.Schedule = parse.GetValue(_schedule);
        options.WarmupEpochs = parse.GetValue(_warmupEpochs);
        options.StepEpochs = parse.GetValue(_stepEpochs);
        options.Milestones = parse.GetValue(_milestones) ?? [];
        options.Gamma = parse.GetValue(_gamma);
        options.MinLearningRate = parse.GetValue(_minLearningRate);
    }
}
