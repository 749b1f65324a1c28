using System.CommandLine;
using Microsoft.ML;
using MLNetCnn.Estimators;
using MLNetCnn.Studies;

namespace MLNetCnn.Cli.Commands;

/// <summary>
/// <c>mlnetcnn worker</c>: takes part in a study that <c>compare --storage ... --study ...</c> created, on this machine:
/// claims queued trials one at a time, trains and evaluates each with the comparison's settings (read from the study),
/// writes its metrics and model to the store, and exits when no trial is left.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create(CliConsole console)
    {
        var storage = StudyFlags.Storage();
        storage.Required = true;
        var study = StudyFlags.Study();
        study.Required = true;
        var data = new Option<string?>("--data", "-d")
        {
            Description = "Where this machine has the comparison's data, when not at the path the study was created with.",
        };
        var lease = StudyFlags.Lease();
        var command = new Command("worker", "Work on a study that compare --storage created: claim queued trials, train them with the study's settings, " +
            "write results and models to the store; exits when every trial is finished. Run any number, on any machines that reach the store.")
        {
            storage, study, data, lease,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var store = CnnStudyStorage.Open(parse.GetValue(storage)!);
            var loaded = CnnStudy.Load(store, parse.GetValue(study)!);
            var stored = StudySettings.FromJson(loaded.Settings, loaded.Name);
            var flags = new CompareFlags();
            var compare = new Command("compare");
            flags.AddTo(compare);
            var parsed = compare.Parse([.. stored.Arguments]);
            if (parsed.Errors.Count > 0)
            {
                throw new InvalidOperationException($"The study '{loaded.Name}' stores compare arguments this mlnetcnn cannot read " +
                    $"({parsed.Errors[0].Message}): run a worker of the same version as the comparison.");
            }
            var settings = flags.Read(parsed);
            // The comparison's time budget is the coordinator's; a worker works until the study is done.
            settings.Experiment.TimeBudget = null;
            if (parse.GetValue(data) is { } localData)
                settings = settings with { DataPath = localData };
            var (mlContext, trainData, description, evaluation) = CompareCommand.Prepare(console, settings);
            console.Output.WriteLine($"Worker on study '{loaded.Name}' in {store.Url}: {description}, {evaluation}.");
            var options = (settings with { Lease = parse.GetValue(lease) is { } own ? StudyFlags.ParseLease(own) : settings.Lease, Train = true })
                .StudyOptions(console);
            var finished = mlContext.CreateCnnExperiment(settings.Experiment).Work(trainData, loaded, options);
            console.Output.WriteLine($"No trial left: this worker finished {finished.Count} ({(finished.Count == 0 ? "none" : string.Join(", ", finished))}).");
        }));
        return command;
    }
}
