using System.Diagnostics;
using MLNetCnn.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNetCnn.Estimators;

/// <summary>
/// Runs one candidate of a <see cref="CnnExperiment"/>: fits its pipeline on each fold's training rows, evaluates it on the
/// held-out rows with <c>MulticlassClassification.Evaluate</c>, and turns the outcome (metrics, an error, or the budget
/// running out) into a leaderboard row.
/// </summary>
internal sealed class TrialRunner(MLContext mlContext, CnnExperiment.Options options, IReadOnlyList<(IDataView Train, IDataView Test)> folds, int seed,
    IRungRecord rungs)
{
    /// <summary>
    /// Runs the trial; throws only when the caller cancels. Successive halving records its rung metrics in
    /// <paramref name="trialRungs"/>, by default the runner's own.
    /// </summary>
    public CnnTrialResult Run(int trialNumber, CnnCandidate candidate, ExperimentBudget budget, IRungRecord? trialRungs = null)
    {
        using var pruned = new CancellationTokenSource();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, pruned.Token);
        int? prunedAt = null;
        void OnEpochEnd(EpochReport report)
        {
            if (options.SuccessiveHalving is not { } halving || !halving.IsRung(report.Epoch) || prunedAt is not null)
                return;
            double metric = CnnSuccessiveHalving.EpochMetric(report);
            var recorded = (trialRungs ?? rungs).Record(trialNumber, report.Epoch, metric);
            // The last epoch still records its metric for the trials behind, but stopping there saves nothing.
            if (report.Epoch < report.EpochCount && halving.ShouldStop(metric, recorded))
            {
                prunedAt = report.Epoch;
                pruned.Cancel();
            }
        }

        var models = new List<TransformerChain<CnnClassificationTransformer>>();
        TransformerChain<CnnClassificationTransformer>? kept = null;
        var fitClock = new Stopwatch();
        var fitting = TimeSpan.Zero;
        TimeSpan Spent() => fitting + (fitClock.IsRunning ? fitClock.Elapsed : TimeSpan.Zero);
        try
        {
            var metrics = new List<MulticlassClassificationMetrics>();
            var trainer = options.Trainer;
            foreach (var fold in folds)
            {
                stop.Token.ThrowIfCancellationRequested();
                // Rungs compare trials on their first fold only: the other folds would report the same epochs again.
                var pipeline = Pipeline(candidate, stop.Token, models.Count == 0 ? OnEpochEnd : null);
                fitClock.Restart();
                models.Add(pipeline.Fit(fold.Train));
                fitClock.Stop();
                fitting += fitClock.Elapsed;
                // Training ended as the budget ran out or at a rung: evaluating now would overrun the budget or waste it.
                stop.Token.ThrowIfCancellationRequested();
                metrics.Add(mlContext.MulticlassClassification.Evaluate(models[^1].Transform(fold.Test),
                    trainer.LabelColumnName, trainer.ScoreColumnName, trainer.PredictedLabelColumnName,
                    TopKAccuracy.DefaultCount(models[^1].LastTransformer.Model.Spec.ClassCount)));
            }
            kept = models[BestFold(metrics)];
            var network = kept.LastTransformer.Model;
            var summary = ModelSummary.Create(network.Network, network.Spec.Input, candidate.Architecture);
            return new CnnTrialResult(trialNumber, candidate, options.OptimizationMetric)
            {
                Status = CnnTrialStatus.Completed,
                FoldMetrics = metrics,
                Parameters = summary.Parameters,
                MultiplyAdds = summary.MultiplyAdds,
                TrainingTime = fitting,
                InferenceMillisecondsPerImage = InferenceTimer.MillisecondsPerImage(network, candidate.BatchSize ?? trainer.BatchSize),
                Model = kept,
            };
        }
        catch (OperationCanceledException) when (prunedAt is not null && !budget.Token.IsCancellationRequested)
        {
            return new CnnTrialResult(trialNumber, candidate, options.OptimizationMetric)
            {
                Status = CnnTrialStatus.Pruned,
                PrunedAtEpoch = prunedAt,
                TrainingTime = Spent(),
            };
        }
        catch (OperationCanceledException) when (budget.IsSpent)
        {
            return new CnnTrialResult(trialNumber, candidate, options.OptimizationMetric)
            {
                Status = CnnTrialStatus.StoppedAtBudget,
                TrainingTime = Spent(),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new CnnTrialResult(trialNumber, candidate, options.OptimizationMetric)
            {
                Status = CnnTrialStatus.Failed,
                Error = $"{e.GetType().Name}: {e.Message}",
                TrainingTime = Spent(),
            };
        }
        finally
        {
            foreach (var model in models.Where(m => m != kept))
                model.Dispose();
        }
    }

    private EstimatorChain<CnnClassificationTransformer> Pipeline(CnnCandidate candidate, CancellationToken stop, Action<EpochReport>? onEpochEnd)
    {
        var chain = new EstimatorChain<ITransformer>();
        if (options.Preprocessing is { } preprocessing)
            chain = chain.Append(preprocessing);
        if (candidate.Augment)
            chain = chain.AppendTrainingOnly(options.Augmentation ?? DefaultAugmentation());
        var trainerOptions = candidate.ToTrainerOptions(options.Trainer, seed, stop);
        if (onEpochEnd is not null)
            trainerOptions.OnEpochEnd += onEpochEnd;
        return chain.Append(mlContext.MulticlassClassification.Trainers.Cnn(trainerOptions));
    }

    /// <summary>Shifts of up to an eighth of the side with zero fill (the CIFAR recipe's pad-and-crop) and left-right mirroring.</summary>
    private EstimatorChain<ImageOperationTransformer> DefaultAugmentation()
    {
        string column = options.Trainer.FeatureColumnName ?? CnnColumnNames.Features;
        return mlContext.Transforms.RandomAffine(translate: 0.125, outputColumnName: column)
            .Append(mlContext.Transforms.RandomHorizontalFlip(column));
    }

    /// <summary>The fold whose model scored best, as ML.NET AutoML picks the model it returns from cross-validation.</summary>
    private int BestFold(List<MulticlassClassificationMetrics> metrics)
    {
        int best = 0;
        for (int i = 1; i < metrics.Count; i++)
        {
            if (options.OptimizationMetric.IsBetter(options.OptimizationMetric.Of(metrics[i]), options.OptimizationMetric.Of(metrics[best])))
                best = i;
        }
        return best;
    }
}
