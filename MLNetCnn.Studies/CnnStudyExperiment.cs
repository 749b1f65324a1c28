using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Estimators;

namespace MLNetCnn.Studies;

/// <summary>How a process takes part in a <see cref="CnnStudy"/>.</summary>
public sealed class CnnStudyOptions
{
    /// <summary>How long a claimed trial stays this process's without a heartbeat; the heartbeat renews it every third of it.</summary>
    public TimeSpan Lease = TimeSpan.FromSeconds(60);

    /// <summary>How often a process with nothing to claim looks again for finished, re-queued or abandoned trials.</summary>
    public TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Called with what the study does beside trials: trials re-queued because their process died or their lease ran
    /// out.</summary>
    public Action<string>? OnMessage;

    /// <summary>
    /// Whether <c>Execute</c> trains trials in this process; false only queues them and waits for workers
    /// (<see cref="CnnStudyExperiment.Work(CnnExperiment, IDataView, CnnStudy, CnnStudyOptions?, CancellationToken)"/>).
    /// </summary>
    public bool Train = true;

    internal void Validate()
    {
        if (Lease < TimeSpan.FromSeconds(1))
            throw new ArgumentOutOfRangeException(nameof(Lease), Lease, "Lease must be at least one second.");
        if (PollInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "PollInterval must be positive.");
    }
}

/// <summary>
/// Runs a <see cref="CnnExperiment"/> through a <see cref="CnnStudy"/>: its trials are queued in the store, any number of
/// processes (this one, and workers elsewhere) train them, and the leaderboard is read back from the store. A run that was
/// killed resumes where it stopped: finished trials stay finished, the trial it held goes back to the queue.
/// </summary>
public static class CnnStudyExperiment
{
    /// <summary>
    /// Queues the experiment's trials in <paramref name="study"/> (the first time), trains queued trials here unless
    /// <see cref="CnnStudyOptions.Train"/> is false, waits until every trial is finished by someone, and returns the
    /// leaderboard of the whole study with the best model, read from the store. The experiment's time budget ends this
    /// process's part (the trial it runs goes back to the queue) and returns what is finished so far.
    /// </summary>
    public static CnnExperimentResult Execute(this CnnExperiment experiment, IDataView trainData, CnnStudy study, CnnStudyOptions? options = null,
        CancellationToken cancellationToken = default) => Run(experiment, trainData, null, study, options ?? new(), wait: true, cancellationToken).Result!;

    /// <summary>As the other <c>Execute</c>, evaluating every trial on <paramref name="validationData"/>.</summary>
    public static CnnExperimentResult Execute(this CnnExperiment experiment, IDataView trainData, IDataView validationData, CnnStudy study,
        CnnStudyOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(validationData);
        return Run(experiment, trainData, validationData, study, options ?? new(), wait: true, cancellationToken).Result!;
    }

    /// <summary>
    /// Works on <paramref name="study"/> as one of many workers: claims queued trials one at a time, trains and evaluates
    /// each, writes its outcome and model, and returns when no trial is queued or running. The experiment must be built
    /// with the settings the study was started with (the command line's worker reads them from the study). Returns the
    /// numbers of the trials this worker finished.
    /// </summary>
    public static IReadOnlyList<int> Work(this CnnExperiment experiment, IDataView trainData, CnnStudy study, CnnStudyOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        options ??= new();
        if (!options.Train)
            throw new ArgumentException("A worker trains: CnnStudyOptions.Train must be true.", nameof(options));
        return Run(experiment, trainData, null, study, options, wait: false, cancellationToken).Finished;
    }

    private static (CnnExperimentResult? Result, IReadOnlyList<int> Finished) Run(CnnExperiment experiment, IDataView trainData,
        IDataView? validationData, CnnStudy study, CnnStudyOptions options, bool wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(study);
        options.Validate();
        var settings = experiment.ExperimentOptions;
        if (validationData is not null && settings.CrossValidationFolds > 0)
            throw new ArgumentException("Give validation data or CrossValidationFolds, not both.", nameof(validationData));
        var clock = Stopwatch.StartNew();
        var plan = experiment.Plan(trainData, validationData);
        study.Enqueue(Definition(settings, plan, validationData is not null), plan.Candidates);
        Requeue(study, options);
        string worker = CnnStudy.NewWorkerName();
        var finished = new List<int>();
        var reported = study.Trials().Where(t => t.IsFinished).Select(t => t.Number).ToHashSet();
        bool budgetExhausted = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var remaining = settings.TimeBudget is { } budget ? budget - clock.Elapsed : (TimeSpan?)null;
            if (remaining <= TimeSpan.Zero)
            {
                budgetExhausted = true;
                break;
            }
            if (options.Train && study.TryClaim(worker, options.Lease) is { } claim)
            {
                var outcome = RunClaimed(experiment, plan, study, claim, options, remaining, trainData.Schema, cancellationToken);
                if (outcome is null)
                    continue;
                if (outcome.Status == CnnTrialStatus.StoppedAtBudget)
                {
                    budgetExhausted = true;
                    break;
                }
                finished.Add(claim.Number);
                reported.Add(claim.Number);
                continue;
            }
            var trials = study.Trials();
            if (wait)
                ReportFinishedElsewhere(study, settings, trials, reported);
            if (trials.All(t => t.IsFinished))
                break;
            // Nothing to claim here (or not claiming at all): look again after a while.
            if (!Requeue(study, options) && (!options.Train || !trials.Any(t => t.State == CnnStudyTrialState.Queued)))
                cancellationToken.WaitHandle.WaitOne(options.PollInterval);
        }
        return (wait ? Result(experiment, study, budgetExhausted, clock.Elapsed) : null, finished);
    }

    /// <summary>
    /// Trains one claimed trial under a heartbeat and writes its outcome; returns it, or null when the lease was lost (the
    /// trial went back to the queue, and whoever claimed it next writes it). A trial stopped at the budget goes back to the queue.
    /// </summary>
    private static CnnTrialResult? RunClaimed(CnnExperiment experiment, ExperimentPlan plan, CnnStudy study, ClaimedTrial claim, CnnStudyOptions options,
        TimeSpan? remaining, DataViewSchema inputSchema, CancellationToken cancellationToken)
    {
        var settings = experiment.ExperimentOptions;
        using var leaseLost = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leaseLost.Token);
        using var heartbeat = new Timer(_ =>
        {
            try
            {
                if (!study.Heartbeat(claim, options.Lease))
                    leaseLost.Cancel();
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                // The store is unreachable for now: keep training; if it stays so, the lease runs out and another worker retries.
            }
        }, null, options.Lease / 3, options.Lease / 3);
        settings.OnTrialStart?.Invoke(claim.Number, claim.Candidate);
        using var budget = new ExperimentBudget(remaining, stop.Token);
        CnnTrialResult trial;
        try
        {
            trial = plan.Runner.Run(claim.Number, claim.Candidate, budget, study.Rungs(claim));
        }
        catch (OperationCanceledException) when (leaseLost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log(options, $"Trial {claim.Number}: the lease ran out while it trained; another worker runs it.");
            return null;
        }
        catch (OperationCanceledException)
        {
            study.Release(claim, "released");
            throw;
        }
        heartbeat.Dispose();
        using (trial.Model)
        {
            if (trial.Status == CnnTrialStatus.StoppedAtBudget)
            {
                study.Release(claim, "released");
                return trial;
            }
            byte[]? model = null;
            if (trial.Model is { } fitted)
            {
                using var stream = new MemoryStream();
                experiment.MLContext.Model.Save(fitted, inputSchema, stream);
                model = stream.ToArray();
            }
            if (!study.Finish(claim, trial, model, settings.KeepAllModels))
            {
                Log(options, $"Trial {claim.Number}: the lease ran out before its result was written; another worker runs it.");
                return null;
            }
        }
        trial.Model = null;
        settings.OnTrialEnd?.Invoke(trial);
        return trial;
    }

    /// <summary>Calls OnTrialEnd for trials other processes finished since the last look.</summary>
    private static void ReportFinishedElsewhere(CnnStudy study, CnnExperiment.Options settings, IReadOnlyList<CnnStudyTrial> trials, HashSet<int> reported)
    {
        if (settings.OnTrialEnd is null || !trials.Any(t => t.IsFinished && !reported.Contains(t.Number)))
            return;
        foreach (var result in study.Results(settings.OptimizationMetric).Where(r => reported.Add(r.TrialNumber)))
            settings.OnTrialEnd(result);
    }

    /// <summary>The study's leaderboard from the store, with the stored models loaded onto their rows.</summary>
    private static CnnExperimentResult Result(CnnExperiment experiment, CnnStudy study, bool budgetExhausted, TimeSpan elapsed)
    {
        var metric = experiment.ExperimentOptions.OptimizationMetric;
        var trials = study.Results(metric);
        var models = study.Models();
        foreach (var trial in trials.Where(t => models.ContainsKey(t.TrialNumber)))
        {
            using var stream = new MemoryStream(models[trial.TrialNumber]);
            var chain = (TransformerChain<ITransformer>)experiment.MLContext.Model.Load(stream, out _);
            trial.Model = new TransformerChain<CnnClassificationTransformer>([.. chain]);
        }
        return new CnnExperimentResult(metric, trials, budgetExhausted, elapsed);
    }

    /// <summary>What must be the same for a run to resume a study: the ranking, the evaluation, the seed and the candidates.</summary>
    private static string Definition(CnnExperiment.Options settings, ExperimentPlan plan, bool validationData) => JsonSerializer.Serialize(new
    {
        Metric = settings.OptimizationMetric.ToString(),
        Evaluation = validationData ? "validation data" : settings.CrossValidationFolds > 0 ? $"{settings.CrossValidationFolds} folds"
            : $"holdout {settings.HoldoutFraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}",
        plan.Seed,
        Candidates = plan.Candidates.Select(c => c.ToString()),
        SuccessiveHalving = settings.SuccessiveHalving is { } halving ? $"from epoch {halving.MinEpochs}, factor {halving.ReductionFactor}" : null,
    });

    /// <summary>Re-queues abandoned trials and says so; returns whether there were any.</summary>
    private static bool Requeue(CnnStudy study, CnnStudyOptions options)
    {
        var requeued = study.RequeueAbandoned();
        if (requeued.Count > 0)
        {
            Log(options, $"Re-queued trial{(requeued.Count == 1 ? "" : "s")} {string.Join(", ", requeued)}: the process that held " +
                $"{(requeued.Count == 1 ? "it" : "them")} stopped (it exited, or its lease ran out without a heartbeat).");
        }
        return requeued.Count > 0;
    }

    private static void Log(CnnStudyOptions options, string message) => options.OnMessage?.Invoke(message);
}
