using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;
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
    private readonly IHost _host;
    private readonly Options _options;

    internal CnnClassificationTrainer(IHostEnvironment environment, Options options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        _host = environment.Register(nameof(CnnClassificationTrainer));
        _options = options;
        options.ToTrainingOptions(seed: 0);
        if (!Enum.IsDefined(options.TestTimeAugmentation))
            throw new ArgumentOutOfRangeException(nameof(options), options.TestTimeAugmentation, "Unknown TestTimeAugmentation.");
        if (!ModelZoo.Contains(options.Architecture))
            throw new ArgumentException($"Unknown architecture '{options.Architecture}'. Registered: {string.Join(", ", ModelZoo.Names)}.", nameof(options));
        if (options.ValidationFraction is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.ValidationFraction, "ValidationFraction must be in [0, 1).");
    }

    /// <summary>Options of <see cref="CnnClassificationTrainer"/>.</summary>
    public sealed class Options
    {
        /// <summary>The label column: a key type, as <c>MapValueToKey</c> makes it.</summary>
        public string LabelColumnName = CnnColumnNames.Label;

        /// <summary>
        /// The input column: an image column (<c>LoadImages</c>, then <c>ResizeImages</c>) or a known-size
        /// vector of <see cref="float"/> pixels in CHW order (<c>ExtractPixels</c>, or the library's readers).
        /// </summary>
        public string FeatureColumnName = CnnColumnNames.Features;

        /// <summary>The output column of class probabilities.</summary>
        public string ScoreColumnName = CnnColumnNames.Score;

        /// <summary>The output key column of the most probable class.</summary>
        public string PredictedLabelColumnName = CnnColumnNames.PredictedLabel;

        /// <summary>The network: a name from <see cref="ModelZoo.Names"/>.</summary>
        public string Architecture = "lenet5";

        /// <summary>
        /// Options of the architecture's family by name, for example <c>alpha</c> and <c>rho</c> for <c>mobilenet-v1</c>
        /// (see the family's documentation); stored with the model. Names are case-insensitive.
        /// </summary>
        public Dictionary<string, double> ArchitectureOptions = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>Passes over the training data.</summary>
        public int Epochs = 10;

        /// <summary>Images per mini-batch, in training and in scoring.</summary>
        public int BatchSize = 64;

        /// <summary>The optimizer's learning rate.</summary>
        public double LearningRate = 1e-3;

        /// <summary>The optimizer.</summary>
        public OptimizerKind Optimizer = OptimizerKind.Adam;

        /// <summary>Momentum of <see cref="OptimizerKind.Sgd"/>.</summary>
        public double Momentum = 0.9;

        /// <summary>L2 weight decay.</summary>
        public double WeightDecay;

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

        /// <summary>Channels of the input images: 1 reads images as grey, 3 as RGB; 0 takes them from the column (RGB for images).</summary>
        public int ImageChannels;

        /// <summary>Height of the input images; 0 takes it from the column type.</summary>
        public int ImageHeight;

        /// <summary>Width of the input images; 0 takes it from the column type.</summary>
        public int ImageWidth;

        /// <summary>Standardise each channel with the training data's mean and standard deviation (stored with the model).</summary>
        public bool NormalizeInputs = true;

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

        internal ImageShape RequestedShape => new(ImageChannels, ImageHeight, ImageWidth);

        internal TrainingOptions ToTrainingOptions(int seed) => new TrainingOptions
        {
            Epochs = Epochs,
            BatchSize = BatchSize,
            LearningRate = LearningRate,
            Optimizer = Optimizer,
            Momentum = Momentum,
            WeightDecay = WeightDecay,
            Seed = seed,
        }.Validate();
    }

    /// <inheritdoc/>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (FindColumn(inputSchema, _options.LabelColumnName) is not { } label)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), _options.LabelColumnName, $"Label column '{_options.LabelColumnName}' was not found.");
        if (!label.IsKey)
            throw LabelNotKey(_options.LabelColumnName, label.ItemType.ToString() ?? label.ItemType.RawType.Name);
        if (FindColumn(inputSchema, _options.FeatureColumnName) is null)
            throw new ArgumentOutOfRangeException(nameof(inputSchema), _options.FeatureColumnName, $"Image column '{_options.FeatureColumnName}' was not found.");

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
        return new SchemaShape(columns.Values);
    }

    /// <summary>Reads the training data, trains the network and returns the fitted transformer.</summary>
    public CnnClassificationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (labelColumn, classCount) = BindLabel(input.Schema);
        var binding = ImageColumnBinding.Bind(input.Schema, _options.FeatureColumnName, _options.RequestedShape);
        int seed = _options.Seed ?? _host.Rand.Next();
        var training = _options.ToTrainingOptions(seed);

        using var channel = _host.Start("Training");
        var data = TrainingDataReader.Read(input, labelColumn, binding, classCount);
        var (trainRows, validationRows) = _options.ValidationFraction > 0
            ? data.StratifiedHoldout(_options.ValidationFraction, seed)
            : ([.. Enumerable.Range(0, data.Count)], []);
        var validation = validationRows.Length > 0 ? data.Select(validationRows) : null;
        bool randomPerPass = binding.Column.Annotations.Schema.GetColumnOrNull(AnnotationNames.RandomPerPass) is not null;
        IEpochData train = randomPerPass
            ? new DataViewEpochData(data, () => TrainingDataReader.Read(input, labelColumn, binding, classCount), trainRows)
            : validation is null ? data : data.Select(trainRows);
        var (gpuDeviceId, fallbackToCpu) = MlNetBridge.GetDeviceSettings(_host);
        var device = DeviceSelector.Select(_options.Device, gpuDeviceId, fallbackToCpu);
        channel.Info(MessageSensitivity.None,
            $"Training {_options.Architecture} on {trainRows.Length} images of shape {train.Shape} in {classCount} classes" +
            $"{(validation is null ? "" : $", validating on {validation.Count}")}, on {device.Device} ({device.Reason}).");

        var normalization = _options.NormalizeInputs ? InputNormalization.FromData(train.ForEpoch(1)) : InputNormalization.Identity(train.Shape.Channels);
        var spec = new ModelSpec(train.Shape, classCount)
        {
            Options = new Dictionary<string, double>(_options.ArchitectureOptions, StringComparer.OrdinalIgnoreCase),
        };
        var model = CnnModel.Create(_options.Architecture, spec, normalization, device.Device, seed);
        try
        {
            var trainer = new ClassifierTrainer(training);
            trainer.EpochCompleted += report =>
            {
                channel.Info(MessageSensitivity.None, report.ToString());
                _options.OnEpochEnd?.Invoke(report);
            };
            if (_options.OnStepEnd is { } onStepEnd)
                trainer.StepCompleted += onStepEnd;
            var history = trainer.Train(model, train, validation);
            var columns = new ScoreColumns(_options.ScoreColumnName, _options.PredictedLabelColumnName, classCount, ClassLabels.FromColumn(labelColumn));
            return new CnnClassificationTransformer(model, _options.FeatureColumnName, _options.TestTimeAugmentation, columns, _options.BatchSize, history);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static SchemaShape.Column? FindColumn(SchemaShape schema, string name) =>
        schema.Where(c => c.Name == name).Cast<SchemaShape.Column?>().LastOrDefault();

    private (DataViewSchema.Column Label, int ClassCount) BindLabel(DataViewSchema schema)
    {
        var label = schema.GetColumnOrNull(_options.LabelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(schema), _options.LabelColumnName,
                $"Label column '{_options.LabelColumnName}' was not found in the data; its columns are: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        if (label.Type is not KeyDataViewType key)
            throw LabelNotKey(label.Name, label.Type.ToString() ?? label.Type.RawType.Name);
        if (key.Count < 2)
            throw new ArgumentException($"Label column '{label.Name}' has {key.Count} class(es); a classifier needs at least 2.");
        if (key.Count > int.MaxValue)
            throw new ArgumentException($"Label column '{label.Name}' has {key.Count} classes, more than a CNN output layer can have.");
        return (label, (int)key.Count);
    }

    private static ArgumentException LabelNotKey(string column, string type) =>
        new($"Label column '{column}' has type {type}; a CNN classifier needs a key type. " +
            $"Map it with mlContext.Transforms.Conversion.MapValueToKey(\"{column}\").");
}
