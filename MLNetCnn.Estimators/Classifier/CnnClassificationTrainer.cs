using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Pretrained;
using MLNetCnn.Runtime;
using MLNetCnn.Training;

namespace MLNetCnn.Estimators;

/// <summary>
/// Trains a convolutional network from the model zoo on an image column and a key label column, and
/// returns a <see cref="CnnClassificationTransformer"/>. Created through
/// <c>mlContext.MulticlassClassification.Trainers.Cnn(...)</c> or <c>mlContext.Transforms.CnnClassifier(...)</c>.
/// </summary>
public sealed class CnnClassificationTrainer : IEstimator<CnnClassificationTransformer>
{
    /// <summary>The value of a full-intensity pixel read from an image column.</summary>
    private const float ImagePixelScale = 255;

    private readonly IHost _host;
    private readonly Options _options;

    // Resolved by the constructor.
    private string FeatureColumn => _options.FeatureColumnName!;

    internal CnnClassificationTrainer(IHostEnvironment environment, Options options, string defaultFeatureColumnName = CnnColumnNames.Features)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _host = environment.Register(nameof(CnnClassificationTrainer));
        if (options.FeatureColumnName is null)
        {
            options = options.Clone();
            options.FeatureColumnName = defaultFeatureColumnName;
        }
        _options = options;
        options.ToTrainingOptions(seed: 0);
        if (!Enum.IsDefined(options.TestTimeAugmentation))
            throw new ArgumentOutOfRangeException(nameof(options), options.TestTimeAugmentation, "Unknown TestTimeAugmentation.");
        if (options.Architecture is { } architecture && !ModelZoo.Contains(architecture))
            throw new ArgumentException($"Unknown architecture '{architecture}'. Registered: {string.Join(", ", ModelZoo.Names)}.", nameof(options));
        if (options.PretrainedWeights is { } weights)
        {
            if (!File.Exists(weights))
                throw new FileNotFoundException($"PretrainedWeights file {weights} does not exist.", weights);
            if (options.ArchitectureOptions.Count > 0)
                throw new ArgumentException("ArchitectureOptions cannot be combined with PretrainedWeights, whose file sets the architecture's options.", nameof(options));
        }
        if (!float.IsFinite(options.PixelScale) || options.PixelScale <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.PixelScale, "PixelScale must be a positive number.");
        if (options.ValidationFraction is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.ValidationFraction, "ValidationFraction must be in [0, 1).");
        if (options.EarlyStoppingPatience < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.EarlyStoppingPatience, "EarlyStoppingPatience must be zero (off) or positive.");
        if (options.DecodeWorkers < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.DecodeWorkers, "DecodeWorkers must be zero (one per core) or positive.");
        if ((options.Resume || options.CheckpointEverySteps != 0) && string.IsNullOrWhiteSpace(options.CheckpointFolder))
            throw new ArgumentException("Resume and CheckpointEverySteps need a CheckpointFolder.", nameof(options));
        if (options.BatchSize > CnnClassificationTransformer.MaxBatchSize)
            throw new ArgumentOutOfRangeException(nameof(Options.BatchSize), options.BatchSize, $"BatchSize must be at most {CnnClassificationTransformer.MaxBatchSize}; it is {options.BatchSize}.");
        foreach (var (name, value) in new[] { (nameof(Options.ImageChannels), options.ImageChannels), (nameof(Options.ImageHeight), options.ImageHeight), (nameof(Options.ImageWidth), options.ImageWidth) })
        {
            if (value < 0)
                throw new ArgumentOutOfRangeException(name, value, $"{name} must be 0 (take it from the column) or positive; it is {value}.");
        }
    }

    /// <summary>Options of <see cref="CnnClassificationTrainer"/>.</summary>
    public sealed class Options
    {
        // The engine's options are the one source of the shared settings' defaults and documentation.
        private static readonly TrainingOptions EngineDefaults = new();

        /// <summary>The label column: a key type, as <c>MapValueToKey</c> makes it.</summary>
        public string LabelColumnName = CnnColumnNames.Label;

        /// <summary>
        /// The input column: an image column (<c>LoadImages</c>, then <c>ResizeImages</c>) or a known-size
        /// vector of <see cref="float"/> pixels in CHW order (<c>ExtractPixels</c>, or the library's readers).
        /// Null (the default) reads the entry point's column: <c>Features</c> for
        /// <c>MulticlassClassification.Trainers.Cnn</c>, <c>Image</c> for <c>Transforms.CnnClassifier</c>.
        /// </summary>
        public string? FeatureColumnName;

        /// <summary>
        /// An optional column of example weights (<see cref="float"/>, zero or positive): a row's loss counts in proportion to
        /// its weight, as in ML.NET's other trainers; null, the default, weighs every row alike.
        /// </summary>
        public string? ExampleWeightColumnName;

        /// <summary>The output column of class probabilities.</summary>
        public string ScoreColumnName = CnnColumnNames.Score;

        /// <summary>The output key column of the most probable class.</summary>
        public string PredictedLabelColumnName = CnnColumnNames.PredictedLabel;

        /// <summary>
        /// An output column for the penultimate features of each image (<see cref="CnnModel.Embeddings"/>), for example
        /// <see cref="CnnColumnNames.Embedding"/>; null, the default, adds none.
        /// </summary>
        public string? EmbeddingColumnName;

        /// <summary>
        /// The network: a name from <see cref="ModelZoo.Names"/>. Null, the default, means <c>lenet5</c>, or the architecture
        /// of <see cref="PretrainedWeights"/>, which a name given here must match.
        /// </summary>
        public string? Architecture;

        /// <summary>
        /// Options of the architecture's family by name, for example <c>alpha</c> and <c>rho</c> for <c>mobilenet-v1</c>
        /// (see the family's documentation); stored with the model. Names are case-insensitive.
        /// </summary>
        public Dictionary<string, double> ArchitectureOptions = new(StringComparer.OrdinalIgnoreCase);

        /// <inheritdoc cref="TrainingOptions.Epochs"/>
        public int Epochs = EngineDefaults.Epochs;

        /// <inheritdoc cref="TrainingOptions.BatchSize"/>
        public int BatchSize = EngineDefaults.BatchSize;

        /// <inheritdoc cref="TrainingOptions.LearningRate"/>
        public double LearningRate = EngineDefaults.LearningRate;

        /// <inheritdoc cref="TrainingOptions.Optimizer"/>
        public OptimizerKind Optimizer = EngineDefaults.Optimizer;

        /// <inheritdoc cref="TrainingOptions.Momentum"/>
        public double Momentum = EngineDefaults.Momentum;

        /// <inheritdoc cref="TrainingOptions.Nesterov"/>
        public bool Nesterov = EngineDefaults.Nesterov;

        /// <inheritdoc cref="TrainingOptions.WeightDecay"/>
        public double WeightDecay = EngineDefaults.WeightDecay;

        /// <inheritdoc cref="TrainingOptions.LabelSmoothing"/>
        public double LabelSmoothing = EngineDefaults.LabelSmoothing;

        /// <inheritdoc cref="TrainingOptions.GradientClipNorm"/>
        public double GradientClipNorm = EngineDefaults.GradientClipNorm;

        /// <inheritdoc cref="TrainingOptions.MixUpAlpha"/>
        public double MixUpAlpha = EngineDefaults.MixUpAlpha;

        /// <inheritdoc cref="TrainingOptions.CutMixAlpha"/>
        public double CutMixAlpha = EngineDefaults.CutMixAlpha;

        /// <inheritdoc cref="TrainingOptions.EmaDecay"/>
        public double EmaDecay = EngineDefaults.EmaDecay;

        /// <inheritdoc cref="TrainingOptions.ClassWeights"/>
        public ClassWeights ClassWeights = EngineDefaults.ClassWeights;

        /// <inheritdoc cref="TrainingOptions.ClassBalancedSampling"/>
        public bool ClassBalancedSampling = EngineDefaults.ClassBalancedSampling;

        /// <inheritdoc cref="TrainingOptions.Schedule"/>
        public ScheduleKind Schedule = EngineDefaults.Schedule;

        /// <inheritdoc cref="TrainingOptions.WarmupEpochs"/>
        public double WarmupEpochs = EngineDefaults.WarmupEpochs;

        /// <inheritdoc cref="TrainingOptions.StepEpochs"/>
        public int StepEpochs = EngineDefaults.StepEpochs;

        /// <summary>The epochs (after warm-up, increasing) at which the <see cref="ScheduleKind.MultiStep"/> schedule decays.</summary>
        public int[] Milestones = [];

        /// <inheritdoc cref="TrainingOptions.Gamma"/>
        public double Gamma = EngineDefaults.Gamma;

        /// <inheritdoc cref="TrainingOptions.MinLearningRate"/>
        public double MinLearningRate = EngineDefaults.MinLearningRate;

        /// <summary>Stop after this many epochs without improvement of <see cref="EarlyStoppingMetric"/>, keeping the best epoch's weights; 0 trains every epoch.</summary>
        public int EarlyStoppingPatience;

        /// <summary>The metric early stopping watches; validation metrics need validation data.</summary>
        public TrainingMetric EarlyStoppingMetric = TrainingMetric.ValidationLoss;

        /// <summary>The smallest change of <see cref="EarlyStoppingMetric"/> that counts as an improvement.</summary>
        public double EarlyStoppingMinDelta;

        /// <summary>A folder to save the training state to at the end of each epoch, atomically; null for none.</summary>
        public string? CheckpointFolder;

        /// <summary>Also checkpoint every this many mini-batch steps; 0 checkpoints once per epoch.</summary>
        public int CheckpointEverySteps;

        /// <summary>Continue from the checkpoint in <see cref="CheckpointFolder"/>, when there is one.</summary>
        public bool Resume;

        /// <summary>Stops training before the next mini-batch (as does <c>MLContext</c>'s cancellation).</summary>
        public CancellationToken Cancellation;

        /// <inheritdoc cref="TrainingOptions.ReturnBestModelOnCancel"/>
        public bool ReturnBestModelOnCancel = EngineDefaults.ReturnBestModelOnCancel;

        /// <inheritdoc cref="TrainingOptions.MixedPrecision"/>
        public MixedPrecision MixedPrecision = EngineDefaults.MixedPrecision;

        /// <inheritdoc cref="TrainingOptions.Prefetch"/>
        public bool Prefetch = EngineDefaults.Prefetch;

        /// <inheritdoc cref="TrainingOptions.Layout"/>
        /// <remarks>The fitted model scores in this layout too.</remarks>
        public TensorLayout Layout = EngineDefaults.Layout;

        /// <summary>Seeds initialisation, shuffling and the validation split; by default drawn from the MLContext's seed.</summary>
        public int? Seed;

        /// <summary>
        /// Where to train: <see cref="ComputeDevice.Auto"/> uses CUDA when available (or when the MLContext's
        /// <c>GpuDeviceId</c> is set) and the CPU otherwise; the MLContext's <c>FallbackToCpu</c> decides
        /// whether a missing GPU is an error.
        /// </summary>
        public ComputeDevice Device = ComputeDevice.Auto;

        /// <summary>Fraction of the training rows held out (stratified by class) to report validation metrics each epoch; 0 for none.</summary>
        public double ValidationFraction;

        /// <summary>
        /// A folder for the decoded training (and validation) images: the first pass over the data writes them there as
        /// fixed-size records, which every epoch then reads through a memory map, so memory does not grow with the data.
        /// Files there are kept and reused by later runs on the same data (same rows, labels and files, by path, size and
        /// time; for data without file paths, the same pixels) and rebuilt when the data changed or a file is damaged.
        /// Null, the default, uses a temporary folder deleted when training ends.
        /// </summary>
        public string? CacheDirectory;

        /// <summary>
        /// Leave out, and count in the log, rows whose image cannot be read while the training data is read (a file removed or
        /// damaged after it was loaded); false, the default, stops with an error naming the row and the file.
        /// </summary>
        public bool SkipUnreadableImages;

        /// <summary>
        /// Threads that decode the images (an image column, such as LoadImages' and ResizeImages') in the first pass over the
        /// data, which writes them to the cache; the rows are still written in order. 0, the default, takes one per core, at
        /// most <see cref="Estimators.DecodeWorkers.MaxAutomatic"/>. The pass ends before training starts, so the workers never
        /// compete with the network's steps for cores.
        /// </summary>
        public int DecodeWorkers;

        /// <summary>Channels of the input images: 1 reads images as grey, 3 as RGB; 0 takes them from the column (RGB for images).</summary>
        public int ImageChannels;

        /// <summary>Height of the input images; 0 takes it from the column type.</summary>
        public int ImageHeight;

        /// <summary>Width of the input images; 0 takes it from the column type.</summary>
        public int ImageWidth;

        /// <summary>
        /// Standardise each channel with the training data's mean and standard deviation (stored with the model). Not used
        /// with <see cref="PretrainedWeights"/>, whose inputs are standardised as the weights expect.
        /// </summary>
        public bool NormalizeInputs = true;

        /// <summary>
        /// Start from pretrained weights: a torchvision model's state dict as PyTorch saves it (<c>.pt</c>, <c>.pth</c>) or as
        /// <c>.safetensors</c>, or a file written by <c>scripts/convert_torchvision.py</c> (see
        /// <see cref="MLNetCnn.Pretrained.PretrainedWeights"/> and the README). The
        /// network is the file's architecture with its weights, except for the classifier head, which is replaced by a new
        /// one for the label's classes; inputs are standardised as the weights expect (ImageNet's mean and standard
        /// deviation for torchvision's, on pixels divided by <see cref="PixelScale"/>). Images must have the weights'
        /// channels (3) and a size the architecture keeps its shapes at, such as 224x224. Null trains from scratch.
        /// </summary>
        public string? PretrainedWeights;

        /// <inheritdoc cref="TrainingOptions.FrozenBackboneEpochs"/>
        public int FrozenBackboneEpochs = EngineDefaults.FrozenBackboneEpochs;

        /// <inheritdoc cref="TrainingOptions.BackboneLearningRateFactor"/>
        public double BackboneLearningRateFactor = EngineDefaults.BackboneLearningRateFactor;

        /// <summary>
        /// The value of a full-intensity pixel in a vector feature column: 255 (the default) for ExtractPixels' and the
        /// library's readers' 0..255 pixels, 1 for pixels scaled to 0..1. Image columns always give 0..255. Used to
        /// standardise inputs for <see cref="PretrainedWeights"/>, which state their normalisation on 0..1 pixels.
        /// </summary>
        public float PixelScale = 255;


        /// <summary>
        /// How the fitted model scores: each image as it is, averaged with its mirror image, or averaged over AlexNet's
        /// ten crops of the training images' size. With ten crops, train on crops (a training-only <c>RandomCrop</c>)
        /// and score the larger uncropped images.
        /// </summary>
        public TestTimeAugmentation TestTimeAugmentation = TestTimeAugmentation.None;

        /// <summary>Called after every epoch with its losses, accuracies and throughput.</summary>
        public Action<EpochReport>? OnEpochEnd;

        /// <summary>Called after every mini-batch step with the epoch's running loss and accuracy; keep it quick.</summary>
        public Action<StepReport>? OnStepEnd;

        /// <summary>Receives every epoch's report, as <see cref="OnEpochEnd"/> does.</summary>
        public IProgress<EpochReport>? Progress;

        /// <summary>A copy whose <see cref="ArchitectureOptions"/> is a dictionary of its own.</summary>
        internal Options Clone()
        {
            var copy = (Options)MemberwiseClone();
            copy.ArchitectureOptions = new Dictionary<string, double>(ArchitectureOptions, StringComparer.OrdinalIgnoreCase);
            return copy;
        }

        internal ImageShape RequestedShape => new(ImageChannels, ImageHeight, ImageWidth);

        internal TrainingOptions ToTrainingOptions(int seed) => new TrainingOptions
        {
            Epochs = Epochs,
            BatchSize = BatchSize,
            LearningRate = LearningRate,
            Optimizer = Optimizer,
            Momentum = Momentum,
            Nesterov = Nesterov,
            WeightDecay = WeightDecay,
            LabelSmoothing = LabelSmoothing,
            GradientClipNorm = GradientClipNorm,
            MixUpAlpha = MixUpAlpha,
            CutMixAlpha = CutMixAlpha,
            EmaDecay = EmaDecay,
            ClassWeights = ClassWeights,
            ClassBalancedSampling = ClassBalancedSampling,
            Schedule = Schedule,
            WarmupEpochs = WarmupEpochs,
            StepEpochs = StepEpochs,
            Milestones = Milestones ?? [],
            Gamma = Gamma,
            MinLearningRate = MinLearningRate,
            EarlyStopping = EarlyStoppingPatience > 0
                ? new EarlyStoppingOptions { Metric = EarlyStoppingMetric, Patience = EarlyStoppingPatience, MinDelta = EarlyStoppingMinDelta }
                : null,
            Checkpoints = string.IsNullOrWhiteSpace(CheckpointFolder)
                ? null
                : new CheckpointOptions { Folder = CheckpointFolder, EverySteps = CheckpointEverySteps, Resume = Resume },
            ReturnBestModelOnCancel = ReturnBestModelOnCancel,
            MixedPrecision = MixedPrecision,
            Prefetch = Prefetch,
            Layout = Layout,
            FrozenBackboneEpochs = FrozenBackboneEpochs,
            BackboneLearningRateFactor = BackboneLearningRateFactor,
            Seed = seed,
        }.Validate();
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (FindColumn(inputSchema, _options.LabelColumnName) is not { } label)
            throw SchemaErrors.MissingColumn(nameof(CnnClassificationTrainer), "Label", _options.LabelColumnName, inputSchema.Select(c => c.Name));
        if (!label.IsKey)
            throw LabelNotKey(_options.LabelColumnName, label.ItemType.ToString() ?? label.ItemType.RawType.Name);
        if (_options.ExampleWeightColumnName is { } weightColumn && FindColumn(inputSchema, weightColumn) is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), weightColumn, $"Example weight column '{weightColumn}' was not found.");
        if (FindColumn(inputSchema, FeatureColumn) is null)
            throw SchemaErrors.MissingColumn(nameof(CnnClassificationTrainer), "Image", FeatureColumn, inputSchema.Select(c => c.Name),
                "set FeatureColumnName, or use Transforms.CnnClassifier, which reads Image");

        var labelAnnotations = label.Annotations.Where(c => c.Name == AnnotationNames.KeyValues);
        var scoreKinds = new List<SchemaShape.Column>
        {
            MlNetBridge.CreateSchemaColumn(AnnotationNames.ScoreColumnKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
            MlNetBridge.CreateSchemaColumn(AnnotationNames.ScoreValueKind, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false),
        };
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[_options.ScoreColumnName] = MlNetBridge.CreateSchemaColumn(_options.ScoreColumnName, SchemaShape.Column.VectorKind.Vector,
            NumberDataViewType.Single, false,
            new SchemaShape([.. scoreKinds, MlNetBridge.CreateSchemaColumn(AnnotationNames.SlotNames, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false)]));
        columns[_options.PredictedLabelColumnName] = MlNetBridge.CreateSchemaColumn(_options.PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar,
            NumberDataViewType.UInt32, true, new SchemaShape([.. scoreKinds, .. labelAnnotations]));
        if (_options.EmbeddingColumnName is { } embedding)
        {
            columns[embedding] = MlNetBridge.CreateSchemaColumn(embedding, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        }
        return new SchemaShape(columns.Values);
    }

    /// <summary>Reads the training data, trains the network and returns the fitted transformer.</summary>
    public CnnClassificationTransformer Fit(IDataView input) => Fit(input, validationData: null);

    /// <summary>
    /// Trains on <paramref name="trainData"/>, scoring <paramref name="validationData"/> after every epoch (for the
    /// reports and early stopping), and returns the fitted transformer. Both need the trainer's input columns, so
    /// pass the validation data through the same preceding transforms (<c>Transform</c> skips training-only stages).
    /// </summary>
    /// <param name="trainData">The training rows.</param>
    /// <param name="validationData">Rows to validate on, or null (see <see cref="Options.ValidationFraction"/>).</param>
    public CnnClassificationTransformer Fit(IDataView trainData, IDataView? validationData)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        using var channel = _host.Start("Training");
        var run = PrepareRun(trainData, validationData, channel);
        using var data = run.Data;
        try
        {
            var trainer = new ClassifierTrainer(run.Training);
            trainer.EpochCompleted += report =>
            {
                channel.Info(MessageSensitivity.None, report.ToString());
                _options.OnEpochEnd?.Invoke(report);
                _options.Progress?.Report(report);
            };
            if (_options.OnStepEnd is { } onStepEnd)
                trainer.StepCompleted += onStepEnd;
            trainer.Diverging += divergence => channel.Warning(MessageSensitivity.None, divergence.ToString());
            using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(_options.Cancellation);
            trainer.StepCompleted += _ =>
            {
                if (MlNetBridge.IsCancelled(_host))
                    cancellation.Cancel();
            };
            run.Model.Layout = _options.Layout;
            var history = trainer.Train(run.Model, run.Train, run.Validation, cancellation.Token);
            channel.Info(MessageSensitivity.None, history.ToString());
            var columns = new ScoreColumns(_options.ScoreColumnName, _options.PredictedLabelColumnName, run.ClassCount, ClassLabels.FromColumn(run.LabelColumn));
            if (_options.EmbeddingColumnName is { } embedding)
                columns = columns.WithEmbedding(embedding, run.Model.EmbeddingSize, keepScores: true);
            return new CnnClassificationTransformer(run.Model, FeatureColumn, _options.LabelColumnName, _options.TestTimeAugmentation, columns, _options.BatchSize, history);
        }
        catch
        {
            run.Model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs the learning-rate range test on <paramref name="trainData"/> with this trainer's network, optimizer and
    /// batch size: a few steps at geometrically growing learning rates, the loss of each, and a suggested rate.
    /// </summary>
    /// <param name="trainData">The training rows, as for <see cref="Fit(IDataView)"/>.</param>
    /// <param name="finderOptions">The range and number of steps; the defaults sweep 1e-7 to 10 in 100 steps.</param>
    public LearningRateSearch FindLearningRate(IDataView trainData, LearningRateFinderOptions? finderOptions = null)
    {
        ArgumentNullException.ThrowIfNull(trainData);
        (finderOptions ?? new LearningRateFinderOptions()).Validate();
        using var channel = _host.Start("Learning-rate range test");
        var run = PrepareRun(trainData, validationData: null, channel);
        using var data = run.Data;
        using var model = run.Model;
        var search = new LearningRateFinder(run.Training, finderOptions).Run(model, run.Train, _options.Cancellation);
        channel.Info(MessageSensitivity.None,
            $"Learning-rate range test: {search.Points.Count} steps from {search.Points[0].LearningRate:G3} to {search.Points[^1].LearningRate:G3}; " +
            $"suggested learning rate {search.SuggestedLearningRate:G3} (steepest descent), lowest loss at {search.LowestLossLearningRate:G3}.");
        return search;
    }

    private sealed record PreparedRun(CnnModel Model, TrainingData Data, TrainingOptions Training, DataViewSchema.Column LabelColumn, int ClassCount,
        IEpochData Train)
    {
        public IEpochData? Validation => Data.Validation;
    }

    /// <summary>Reads the data (into record files), holds out validation rows, chooses the device and builds the network.</summary>
    private PreparedRun PrepareRun(IDataView input, IDataView? validationData, IChannel channel)
    {
        if (validationData is not null && _options.ValidationFraction > 0)
            throw new ArgumentException("Give either validation data or a ValidationFraction, not both.", nameof(validationData));
        var (labelColumn, classCount) = BindLabel(input, "training");
        var binding = ImageColumnBinding.Bind(input.Schema, FeatureColumn, _options.RequestedShape, nameof(CnnClassificationTrainer));
        int seed = _options.Seed ?? _host.Rand.Next();
        var training = _options.ToTrainingOptions(seed);
        if (training.EarlyStopping is { } stopping && stopping.Metric.NeedsValidation() && validationData is null && _options.ValidationFraction == 0)
        {
            throw new ArgumentException($"EarlyStoppingMetric {stopping.Metric} needs validation data: set ValidationFraction, " +
                $"call Fit(trainData, validationData), or watch {TrainingMetric.TrainLoss}.");
        }
        var validation = validationData is null ? null : BindValidation(validationData, binding.Shape, classCount);
        if (_options.ExampleWeightColumnName is { } weightColumn)
            ExampleWeights.Bind(input.Schema, weightColumn);
        var labelled = new LabelledImages(input, labelColumn, binding, classCount);
        var data = TrainingData.Prepare(labelled, validation,
            new DataPathSettings(_options.CacheDirectory, _options.ValidationFraction, seed, _options.SkipUnreadableImages,
                DecodeWorkers.Resolve(_options.DecodeWorkers)), channel);
        try
        {
            var (gpuDeviceId, fallbackToCpu) = MlNetBridge.GetDeviceSettings(_host);
            var device = DeviceSelector.Select(_options.Device, gpuDeviceId, fallbackToCpu);
            var weights = _options.PretrainedWeights is { } path ? PretrainedWeights.Read(path) : null;
            IEpochData train = _options.ExampleWeightColumnName is { } column
                ? new WeightedEpochData(data.Train, ExampleWeights.Read(labelled, column, _options.ValidationFraction, seed, data.Train.Count))
                : data.Train;
            var model = weights is null
                ? NewModel(train, data.Normalization, classCount, device.Device, seed)
                : PretrainedModel(weights, train.Shape, classCount, binding, device.Device, seed);
            channel.Info(MessageSensitivity.None,
                $"Training {model.Architecture}{(weights is null ? "" : $" from {weights.FilePath} ({weights.Source})")} on {train.Count} images of shape " +
                $"{train.Shape} in {classCount} classes{(data.Validation is null ? "" : $", validating on {data.Validation.Count}")}, on {device.Device} ({device.Reason}), " +
                $"{(_options.Layout.UsesChannelsLast(model.Architecture, device.Device) ? "channels-last" : "channels-first")}.");
            if (_options.MixedPrecision != MixedPrecision.None && device.Device.type != TorchSharp.DeviceType.CUDA)
                channel.Info(MessageSensitivity.None, $"MixedPrecision {_options.MixedPrecision} applies on CUDA only; training in float32 on {device.Device}.");
            return new PreparedRun(model, data, training, labelColumn, classCount, train);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>A freshly initialised network of the chosen architecture, its inputs standardised as <see cref="Options.NormalizeInputs"/> says.</summary>
    private CnnModel NewModel(IEpochData train, InputNormalization statistics, int classCount, TorchSharp.torch.Device device, int seed)
    {
        var normalization = _options.NormalizeInputs ? statistics : InputNormalization.Identity(train.Shape.Channels);
        var spec = new ModelSpec(train.Shape, classCount)
        {
            Options = new Dictionary<string, double>(_options.ArchitectureOptions, StringComparer.OrdinalIgnoreCase),
        };
        return CnnModel.Create(_options.Architecture ?? ModelZoo.DefaultArchitecture, spec, normalization, device, seed);
    }

    /// <summary>The pretrained network with a new head for the classes, its inputs standardised as the weights expect.</summary>
    private CnnModel PretrainedModel(PretrainedWeights weights, ImageShape input, int classCount, ImageColumnBinding binding, TorchSharp.torch.Device device, int seed)
    {
        if (_options.Architecture is { } architecture && !string.Equals(architecture, weights.Architecture, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Architecture is '{architecture}', but {weights.FilePath} holds weights for '{weights.Architecture}'; leave Architecture unset to use the file's.");
        return CnnModel.FromPretrained(weights, input, classCount, device, binding.IsImage ? ImagePixelScale : _options.PixelScale, seed);
    }

    private LabelledImages BindValidation(IDataView validationData, ImageShape shape, int classCount)
    {
        var (labelColumn, validationClasses) = BindLabel(validationData, "validation");
        if (validationClasses != classCount)
            throw new ArgumentException($"The validation data's label column '{labelColumn.Name}' has {validationClasses} classes but the training data's has {classCount}; map both with the same MapValueToKey.", nameof(validationData));
        return new LabelledImages(validationData, labelColumn, ImageColumnBinding.Bind(validationData.Schema, FeatureColumn, shape), classCount);
    }

    private static SchemaShape.Column? FindColumn(SchemaShape schema, string name) =>
        schema.Where(c => c.Name == name).Cast<SchemaShape.Column?>().LastOrDefault();

    private (DataViewSchema.Column Label, int ClassCount) BindLabel(IDataView data, string role)
    {
        var schema = data.Schema;
        var label = schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), _options.LabelColumnName,
                $"Label column '{_options.LabelColumnName}' was not found in the data; its columns are: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        if (label.Type is not KeyDataViewType key)
            throw LabelNotKey(label.Name, label.Type.ToString() ?? label.Type.RawType.Name);
        if (key.Count < 2)
        {
            // MapValueToKey fitted on no rows still declares one key, so say what is really wrong.
            if (IsEmpty(data))
                throw new ArgumentException($"The {role} data has no rows.");
            throw new ArgumentException($"Label column '{label.Name}' has {key.Count} class(es); a classifier needs at least 2.");
        }
        if (key.Count > int.MaxValue)
            throw new ArgumentException($"Label column '{label.Name}' has {key.Count} classes, more than a CNN output layer can have.");
        return (label, (int)key.Count);
    }

    private static bool IsEmpty(IDataView data)
    {
        if (data.GetRowCount() is { } count)
            return count == 0;
        using var cursor = data.GetRowCursor([]);
        return !cursor.MoveNext();
    }

    private static ArgumentException LabelNotKey(string column, string type) =>
        new($"Label column '{column}' has type {type}; a CNN classifier needs a key type. " +
            $"Map it with mlContext.Transforms.Conversion.MapValueToKey(\"{column}\").");
}
