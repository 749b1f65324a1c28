using System.CommandLine;
using MLNetCnn.Estimators;
using MLNetCnn.Training;

namespace MLNetCnn.Cli.Commands;

/// <summary>How a <c>train</c> run stops and resumes: early stopping and checkpoints.</summary>
internal sealed class RunControlFlags : TrainerFlags
{
    private readonly Option<int> _earlyStopping = new("--early-stopping") { Description = "Stop after this many epochs without improvement of --monitor and keep the best epoch (0: off)." };
    private readonly Option<TrainingMetric> _monitor = new("--monitor") { Description = "validationloss, validationaccuracy, trainloss or trainaccuracy.", DefaultValueFactory = _ => TrainingMetric.ValidationLoss };
    private readonly Option<double> _minDelta = new("--min-delta") { Description = "Smallest change of --monitor that counts as an improvement." };
    private readonly Option<string?> _checkpoints = new("--checkpoints") { Description = "Folder to save the training state to after every epoch, to --resume from." };
    private readonly Option<int> _checkpointEvery = new("--checkpoint-every") { Description = "Also save a checkpoint every N mini-batch steps." };
    private readonly Option<bool> _resume = new("--resume") { Description = "Continue from the checkpoint in --checkpoints, if there is one." };

    protected override IEnumerable<Option> Flags => [_earlyStopping, _monitor, _minDelta, _checkpoints, _checkpointEvery, _resume];

    /// <inheritdoc/>
    public override void ApplyTo(ParseResult parse, CnnClassificationTrainer.Options options)
    {
        options.EarlyStoppingPatience = parse.GetValue(_earlyStopping);
        options.EarlyStoppingMetric = parse.GetValue(_monitor);
        options.EarlyStoppingMinDelta = parse.GetValue(_minDelta);
        options.CheckpointFolder = parse.GetValue(_checkpoints);
        if (options.CheckpointFolder is null && (parse.GetValue(_resume) || parse.GetValue(_checkpointEvery) > 0))
            throw new ArgumentException("--resume and --checkpoint-every need --checkpoints DIR, the folder of the checkpoints.");
        options.CheckpointEverySteps = parse.GetValue(_checkpointEvery);
        options.Resume = parse.GetValue(_resume);
    }
}
