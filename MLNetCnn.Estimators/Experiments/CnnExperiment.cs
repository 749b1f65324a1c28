using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNetCnn.Estimators;

/// <summary>
/// Compares CNN candidates on one data set, in the spirit of ML.NET AutoML: each trial trains a candidate (an architecture
/// with its settings), evaluates it with <c>MulticlassClassification.Evaluate</c> on held-out data or across
/// cross-validation folds, and takes its place on a leaderboard; the best model comes back fitted. A time budget stops the
/// trial that is running when it ends (before its next mini-batch), and a trial that throws is recorded with its error while
/// the experiment goes on. The token given to <c>Execute</c>, and ML.NET's own cancellation of the MLContext
/// (as AutoML uses it), stop it with an <see cref="OperationCanceledException"/>. Created with <c>mlContext.CreateCnnExperiment(...)</c>.
/// </summary>
public sealed class CnnExperiment
{
    private readonly MLContext _mlContext;
    private readonly IHost _host;
    private readonly Options _options;

    internal CnnExperiment(MLContext mlContext, Options options)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(options);
        _mlContext = mlContext;
        _host = ((IHostEnvironment)mlContext).Register(nameof(CnnExperiment));
        _options = options;
        options.Validate();
    }

    /// <summary>Options of <see cref="CnnExperiment"/>.</summary>
    public sealed class Options
    {
        /// <summary>The candidates, tried in this order. Give these or <see cref="SearchSpace"/>.</summary>
        public List<CnnCandidate> Candidates = [];

        /// <summary>A grid of candidates, walked by <see cref="SearchStrategy"/>. Give this or <see cref="Candidates"/>.</summary>
        public CnnSearchSpace? SearchSpace;

        /// <summary>How <see cref="SearchSpace"/> is walked: in grid order, or at random without repeats.</summary>
        public CnnSearchStrategy SearchStrategy = CnnSearchStrategy.Grid;

        /// <summary>
        /// Wall-clock time for the whole experiment; null for no limit. When it ends, the running trial stops before its next
        /// mini-batch and is listed as <see cref="CnnTrialStatus.StoppedAtBudget"/>, and no further trial starts.
        /// </summary>
        public TimeSpan? TimeBudget;

        /// <summary>The most trials to run; null for every candidate.</summary>
        public int? MaxTrials;

        /// <summary>
        /// Folds of k-fold cross-validation (ML.NET's <c>CrossValidationSplit</c>), at least 2; 0 evaluates on a holdout instead:
        /// the validation data given to <see cref="Execute(IDataView, IDataView, CancellationToken)"/>, or
        /// <see cref="HoldoutFraction"/> of the training data (ML.NET's <c>TrainTestSplit</c>).
        /// </summary>
        public int CrossValidationFolds;

        /// <summary>The share of the training data held out for evaluation when there are no folds and no validation data.</summary>
        public double HoldoutFraction = 0.2;

        /// <summary>
        /// Stops trials that fall behind at rungs of epochs (asynchronous successive halving), so that a budget goes to the
        /// promising ones; null trains every trial to its last epoch.
        /// </summary>
        public CnnSuccessiveHalving? SuccessiveHalving;

        /// <summary>The metric trials are ranked by.</summary>
        public CnnExperimentMetric OptimizationMetric = CnnExperimentMetric.MicroAccuracy;

        /// <summary>
        /// Everything a candidate does not set: column names, optimizer, schedule, early stopping, device, input size and
        /// normalisation, and progress callbacks, which every trial calls. Its <c>Cancellation</c> is replaced by the
        /// experiment's own; a trial stopped at the budget is not evaluated, whatever <c>ReturnBestModelOnCancel</c> says.
        /// </summary>
        public CnnClassificationTrainer.Options Trainer = new();

        /// <summary>
        /// Stages fitted before the CNN in every trial and kept in its model, for example <c>MapValueToKey("Label")</c> when the
        /// label is not a key yet (as AutoML's pre-featurizer).
        /// </summary>
        public IEstimator<ITransformer>? Preprocessing;

        /// <summary>
        /// Training-only stages for candidates with <see cref="CnnCandidate.Augment"/>; by default random shifts of up to an
        /// eighth of the side with zero fill (the CIFAR recipe's pad and crop) and left-right mirroring.
        /// </summary>
        public IEstimator<ITransformer>? Augmentation;

        /// <summary>Keep every completed trial's model on its row, not only the best one (the others are freed as the experiment
        /// goes).</summary>
        public bool KeepAllModels;

        /// <summary>Seeds the data split, the random search and (unless <see cref="Trainer"/> has one) every trial's training; by default
        /// drawn from the MLContext.</summary>
        public int? Seed;

        /// <summary>Called before each trial with its number (from 1) and its candidate, settings filled in.</summary>
        public Action<int, CnnCandidate>? OnTrialStart;

        /// <summary>Called after each trial with its row, whether it completed, failed or was stopped at the budget.</summary>
        public Action<CnnTrialResult>? OnTrialEnd;

        internal void Validate()
        {
            ArgumentNullException.ThrowIfNull(Trainer, nameof(Trainer));
            if ((Candidates is { Count: > 0 }) == (SearchSpace is not null))
                throw new ArgumentException("Give the experiment either Candidates or a SearchSpace (exactly one).");
            SearchSpace?.Validate();
            SuccessiveHalving?.Validate();
            if (!Enum.IsDefined(SearchStrategy))
                throw new ArgumentOutOfRangeException(nameof(SearchStrategy), SearchStrategy, "Unknown SearchStrategy.");
            if (!Enum.IsDefined(OptimizationMetric))
                throw new ArgumentOutOfRangeException(nameof(OptimizationMetric), OptimizationMetric, "Unknown OptimizationMetric.");
            if (TimeBudget is { } budget && budget <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(TimeBudget), budget, "TimeBudget must be positive.");
            if (MaxTrials is < 1)
                throw new ArgumentOutOfRangeException(nameof(MaxTrials), MaxTrials, "MaxTrials must be at least 1.");
            if (CrossValidationFolds is < 0 or 1)
                throw new ArgumentOutOfRangeException(nameof(CrossValidationFolds), CrossValidationFolds, "CrossValidationFolds must be 0 (holdout) or at least 2.");
            if (HoldoutFraction is not (> 0 and < 1))
                throw new ArgumentOutOfRangeException(nameof(HoldoutFraction), HoldoutFraction, "HoldoutFraction must be between 0 and 1.");
        }
    }

    /// <summary>
    /// Runs the trials on <paramref name="trainData"/>, evaluating each on <see cref="Options.HoldoutFraction"/> of it, or
    /// across <see cref="Options.CrossValidationFolds"/> folds.
    /// </summary>
    /// <param name="trainData">Images and labels, with the columns <see cref="Options.Trainer"/> names.</param>
    /// <param name="cancellationToken">Stops the running trial before its next mini-batch and throws an <see
    /// cref="OperationCanceledException"/>.</param>
    public CnnExperimentResult Execute(IDataView trainData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        return Run(trainData, validationData: null, cancellationToken);
    }

    /// <summary>Runs the trials on <paramref name="trainData"/>, evaluating each on <paramref name="validationData"/>.</summary>
    /// <param name="trainData">Images and labels, with the columns <see cref="Options.Trainer"/> names.</param>
    /// <param name="validationData">The held-out images every trial is evaluated on.</param>
    /// <param name="cancellationToken">Stops the running trial before its next mini-batch and throws an <see
    /// cref="OperationCanceledException"/>.</param>
    public CnnExperimentResult Execute(IDataView trainData, IDataView validationData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        ArgumentNullException.ThrowIfNull(validationData);
        if (_options.CrossValidationFolds > 0)
            throw new ArgumentException("Give validation data or CrossValidationFolds, not both.", nameof(validationData));
        return Run(trainData, validationData, cancellationToken);
    }

    /// <summary>The context and options the experiment was created with (read by stores that run its trials).</summary>
    internal MLContext MLContext => _mlContext;

    internal Options ExperimentOptions => _options;

    /// <summary>
    /// Checks the data and fixes what every trial shares, the same on every run with the same seed: the folds, the
    /// candidates in the order they are tried (settings filled in, cut at MaxTrials), and the runner that trains them.
    /// </summary>
    internal ExperimentPlan Plan(IDataView trainData, IDataView? validationData)
    {
        CheckColumns(trainData.Schema, "training");
        if (validationData is not null)
            CheckColumns(validationData.Schema, "validation");
        int seed = _options.Seed ?? _host.Rand.Next();
        var folds = Folds(trainData, validationData, seed);
        var candidates = _options.SearchSpace is null ? _options.Candidates
            : _options.SearchStrategy == CnnSearchStrategy.Random ? _options.SearchSpace.RandomOrder(seed)
            : _options.SearchSpace.Grid();
        var resolved = candidates.Take(_options.MaxTrials ?? int.MaxValue).Select(c => c.ResolveWith(_options.Trainer)).ToList();
        return new ExperimentPlan(seed, folds, resolved, new TrialRunner(_mlContext, _options, folds, seed, new InMemoryRungs()));
    }

    private CnnExperimentResult Run(IDataView trainData, IDataView? validationData, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var budget = new ExperimentBudget(_options.TimeBudget, cancellationToken);
        var plan = Plan(trainData, validationData);
        var (folds, runner) = (plan.Folds, plan.Runner);
        var trials = new List<CnnTrialResult>();
        CnnTrialResult? best = null;
        bool budgetExhausted = false;
        using var channel = _host.Start("Experiment");
        channel.Info(MessageSensitivity.None, $"Comparing up to {plan.Candidates.Count} candidates by " +
            $"{_options.OptimizationMetric} on {(folds.Count > 1 ? $"{folds.Count} folds" : "a holdout")}" +
            $"{(_options.TimeBudget is { } limit ? $" within {limit.TotalSeconds:G4} s" : "")}.");
        try
        {
            foreach (var resolved in plan.Candidates)
            {
                budget.ThrowIfCancelled();
                budgetExhausted = budget.IsSpent;
                if (budgetExhausted)
                    break;
                _options.OnTrialStart?.Invoke(trials.Count + 1, resolved);
                channel.Info(MessageSensitivity.None, $"Trial {trials.Count + 1}: {resolved}.");
                var trial = runner.Run(trials.Count + 1, resolved, budget);
                trials.Add(trial);
                best = KeepBest(best, trial);
                if (trial.Status == CnnTrialStatus.Failed)
                    channel.Warning(MessageSensitivity.None, trial.ToString());
                else
                    channel.Info(MessageSensitivity.None, trial.ToString());
                _options.OnTrialEnd?.Invoke(trial);
                budgetExhausted = trial.Status == CnnTrialStatus.StoppedAtBudget;
                if (budgetExhausted)
                    break;
            }
        }
        catch
        {
            foreach (var trial in trials)
                trial.Model?.Dispose();
            throw;
        }
        var result = new CnnExperimentResult(_options.OptimizationMetric, trials, budgetExhausted, clock.Elapsed);
        channel.Info(MessageSensitivity.None, $"{trials.Count} trials in {clock.Elapsed.TotalSeconds:F1} s" +
            $"{(result.BudgetExhausted ? " (time budget spent)" : "")}; best: {result.BestTrial?.ToString() ?? "none completed"}.");
        return result;
    }

    /// <summary>Keeps the better of two completed trials' models and frees the other's, unless every model is to be kept.</summary>
    internal CnnTrialResult? KeepBest(CnnTrialResult? best, CnnTrialResult trial)
    {
        if (trial.Status != CnnTrialStatus.Completed)
            return best;
        var metric = _options.OptimizationMetric;
        bool better = best is null || metric.IsBetter(trial.Score!.Value, best.Score!.Value);
        var loser = better ? best : trial;
        if (loser is not null && !_options.KeepAllModels)
        {
            loser.Model?.Dispose();
            loser.Model = null;
        }
        return better ? trial : best;
    }

    private IReadOnlyList<(IDataView Train, IDataView Test)> Folds(IDataView trainData, IDataView? validationData, int seed)
    {
        if (validationData is not null)
            return [(trainData, validationData)];
        var splits = _options.CrossValidationFolds > 0
            ? _mlContext.Data.CrossValidationSplit(trainData, _options.CrossValidationFolds, seed: seed)
            : [_mlContext.Data.TrainTestSplit(trainData, _options.HoldoutFraction, seed: seed)];
        foreach (var (split, fold) in splits.Select((split, i) => (split, i + 1)))
        {
            if (IsEmpty(split.TestSet) || IsEmpty(split.TrainSet))
            {
                throw new ArgumentException(_options.CrossValidationFolds > 0
                    ? $"Fold {fold} of {_options.CrossValidationFolds} has no {(IsEmpty(split.TestSet) ? "test" : "training")} rows: the data has too few rows " +
                      "for that many folds. Use fewer CrossValidationFolds (--folds on the command line) or more data."
                    : $"The holdout of {_options.HoldoutFraction:P0} leaves no {(IsEmpty(split.TestSet) ? "test" : "training")} rows: use more data " +
                      "or another HoldoutFraction (--holdout-fraction on the command line).");
            }
        }
        return [.. splits.Select(split => (split.TrainSet, split.TestSet))];
    }

    private static bool IsEmpty(IDataView data)
    {
        using var cursor = data.GetRowCursor([]);
        return !cursor.MoveNext();
    }

    /// <summary>Fails before any trial when the data lacks the label (as a key, after preprocessing) or the image column.</summary>
    private void CheckColumns(DataViewSchema schema, string role)
    {
        var shape = MlNetBridge.SchemaShapeOf(schema);
        try
        {
            if (_options.Preprocessing is { } preprocessing)
                shape = preprocessing.GetOutputSchema(shape);
            _mlContext.MulticlassClassification.Trainers.Cnn(_options.Trainer).GetOutputSchema(shape);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The {role} data does not suit the experiment: {e.Message}", e);
        }
    }
}

/// <summary>What every trial of one experiment run shares (see <see cref="CnnExperiment.Plan"/>).</summary>
internal sealed record ExperimentPlan(int Seed, IReadOnlyList<(IDataView Train, IDataView Test)> Folds, IReadOnlyList<CnnCandidate> Candidates,
    TrialRunner Runner);
