using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Runtime;
using MLNetCnn.Training;

// ML.NET finds a saved model's loader through an assembly-level LoadableClass attribute: Model.Load loads the
// assembly named in the model and registers it with the context's component catalog, so any MLContext loads
// CNN classifiers without a registration call.
[assembly: LoadableClass(typeof(MLNetCnn.Estimators.CnnClassificationTransformer), null, typeof(SignatureLoadModel),
    MLNetCnn.Estimators.CnnClassificationTransformer.UserName, MLNetCnn.Estimators.CnnClassificationTransformer.LoaderSignature)]

namespace MLNetCnn.Estimators;

/// <summary>
/// A trained CNN classifier in an ML.NET pipeline. It adds a <c>Score</c> column (class probabilities)
/// and a <c>PredictedLabel</c> key column, scores on batches when data is streamed and row by row in a
/// <c>PredictionEngine</c>, and saves with <c>mlContext.Model.Save</c>. With <see cref="TestTimeAugmentation"/> it
/// averages the class probabilities of several views of each image. Thread-safe for scoring;
/// <see cref="Dispose"/> frees the network's native memory, after which every use throws
/// <see cref="ObjectDisposedException"/>. Data that carries the label column it was trained with must key it as
/// training did (same classes in the same order), so that evaluation compares like with like.
/// </summary>
public sealed class CnnClassificationTransformer : ITransformer, ICanSaveModel, IDisposable
{
    internal const string LoaderSignature = "MLNetCnnClassifier";
    internal const string UserName = "MLNetCnn CNN classifier";
    // Version 4 added the embedding column; version 3 models load without one.
    private const uint EmbeddingVersion = 0x00010004;
    private static readonly LoaderIdentity Identity = new(ModelSignature: "MLNETCNN", Version: EmbeddingVersion, LoaderSignature, ReadsFrom: 0x00010003);

    /// <summary>The largest batch a model trains and scores on; a saved model declaring more is damaged.</summary>
    internal const int MaxBatchSize = 1 << 16;

    private readonly ScoreColumns _columns;
    private readonly int _scoringBatchSize;

    internal CnnClassificationTransformer(CnnModel model, string featureColumnName, string labelColumnName, TestTimeAugmentation testTimeAugmentation,
        ScoreColumns columns, int scoringBatchSize, TrainingHistory trainingHistory)
    {
        Model = model;
        FeatureColumnName = featureColumnName;
        LabelColumnName = labelColumnName;
        TestTimeAugmentation = testTimeAugmentation;
        _columns = columns;
        _scoringBatchSize = scoringBatchSize;
        TrainingHistory = trainingHistory;
    }

    /// <summary>The trained network, its architecture, spec and device.</summary>
    public CnnModel Model { get; }

    /// <summary>The image or pixel-vector column the network reads.</summary>
    public string FeatureColumnName { get; }

    /// <summary>
    /// The views of each image whose class probabilities are averaged: the image itself, also its mirror image, or
    /// AlexNet's ten crops of the network's input size (then the scored images may be larger than it).
    /// </summary>
    public TestTimeAugmentation TestTimeAugmentation { get; }

    /// <summary>The key label column the model was trained on; data that has it is checked to key it the same way.</summary>
    public string LabelColumnName { get; }

    /// <summary>The class names in key order (the label's key values, or the key indices as text).</summary>
    public IReadOnlyList<string> ClassNames =>
        _columns.Labels?.Names ?? [.. Enumerable.Range(0, _columns.ClassCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The column of class probabilities the transformer adds (<c>Score</c> by default), unless it is a featurizer (<see
    /// cref="AddsScores"/>).</summary>
    public string ScoreColumnName => _columns.ScoreColumnName;

    /// <summary>Whether the score and predicted-label columns are added: false for a featurizer (<see cref="AsFeaturizer"/>).</summary>
    public bool AddsScores => _columns.Scores;

    /// <summary>The column of penultimate features (<see cref="CnnModel.Embeddings"/>) the transformer adds, or null for none.</summary>
    public string? EmbeddingColumnName => _columns.EmbeddingColumnName;

    /// <summary>
    /// A featurizer of its own: a copy of this network that adds only the embedding column <paramref name="outputColumnName"/>
    /// (the penultimate features, <see cref="CnnModel.EmbeddingSize"/> floats) to feed another ML.NET trainer or a
    /// nearest-neighbour search. It saves and loads as a classifier does; dispose it apart from this one.
    /// </summary>
    public CnnClassificationTransformer AsFeaturizer(string outputColumnName = CnnColumnNames.Embedding)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputColumnName);
        ThrowIfDisposed();
        using var copy = new MemoryStream();
        Model.Save(copy);
        copy.Position = 0;
        var model = CnnModel.Load(copy, Model.Device, "the classifier's network");
        try
        {
            return new CnnClassificationTransformer(model, FeatureColumnName, LabelColumnName, TestTimeAugmentation.None,
                _columns.WithEmbedding(outputColumnName, model.EmbeddingSize, keepScores: false), _scoringBatchSize, TrainingHistory.Empty);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The report of each training epoch and how training ended; empty for a model loaded from a file.</summary>
    public TrainingHistory TrainingHistory { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        Bind(inputSchema);
        return _columns.AppendTo(inputSchema);
    }

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var label = input.Schema.GetColumnOrNull(LabelColumnName) is { Type: KeyDataViewType } column ? column : (DataViewSchema.Column?)null;
        return new CnnScoredDataView(input, Bind(input.Schema), Model, TestTimeAugmentation, _columns, _scoringBatchSize, label);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        new CnnRowMapper(inputSchema, Bind(inputSchema), Model, TestTimeAugmentation, _columns);

    /// <summary>
    /// Frees the network's native memory once scoring calls under way have finished; any use afterwards, including
    /// cursors and prediction engines made before, throws <see cref="ObjectDisposedException"/>. A
    /// <c>TransformerChain</c> holding this transformer disposes it, and so does a <c>PredictionEngine</c> made
    /// without <c>PredictionEngineOptions.OwnsTransformer = false</c>.
    /// </summary>
    public void Dispose() => Model.Dispose();

    void ICanSaveModel.Save(ModelSaveContext context) => MlNetBridge.SaveModel(context, Identity, writer =>
    {
        ThrowIfDisposed();
        writer.Write(FeatureColumnName);
        writer.Write(_columns.ScoreColumnName);
        writer.Write(_columns.PredictedLabelColumnName);
        writer.Write(_scoringBatchSize);
        writer.Write((int)TestTimeAugmentation);
        writer.Flush();
        Model.Save(writer.BaseStream);
        writer.Write(_columns.Labels is not null);
        _columns.Labels?.Save(writer);
        writer.Write(LabelColumnName);
        writer.Write(_columns.Scores);
        writer.Write(_columns.EmbeddingColumnName ?? "");
    });

    // ML.NET's model loader finds this by name and signature (see the LoadableClass attribute above the namespace).
    private static CnnClassificationTransformer Create(IHostEnvironment environment, ModelLoadContext loadContext)
    {
        var reader = MlNetBridge.OpenModel(loadContext, Identity, out uint version);
        string featureColumnName = reader.ReadString();
        string scoreColumnName = reader.ReadString();
        string predictedLabelColumnName = reader.ReadString();
        int scoringBatchSize = reader.ReadInt32();
        if (scoringBatchSize is < 1 or > MaxBatchSize)
            throw new InvalidDataException($"The saved CNN classifier has scoring batch size {scoringBatchSize}, outside [1, {MaxBatchSize}].");
        var testTimeAugmentation = (TestTimeAugmentation)reader.ReadInt32();
        if (!Enum.IsDefined(testTimeAugmentation))
            throw new InvalidDataException($"The saved CNN classifier has an unknown test-time augmentation {(int)testTimeAugmentation}.");
        var (gpuDeviceId, fallbackToCpu) = MlNetBridge.GetDeviceSettings(environment);
        var device = DeviceSelector.Select(ComputeDevice.Auto, gpuDeviceId, fallbackToCpu);
        var model = CnnModel.Load(reader.BaseStream, device.Device, "the saved CNN classifier");
        try
        {
            var labels = reader.ReadBoolean() ? ClassLabels.Load(reader, model.Spec.ClassCount) : null;
            string labelColumnName = reader.ReadString();
            var columns = new ScoreColumns(scoreColumnName, predictedLabelColumnName, model.Spec.ClassCount, labels);
            if (version >= EmbeddingVersion)
            {
                bool scores = reader.ReadBoolean();
                string embedding = reader.ReadString();
                if (embedding.Length > 0)
                    columns = columns.WithEmbedding(embedding, model.EmbeddingSize, scores);
                else if (!scores)
                    throw new InvalidDataException("The saved CNN transformer has neither scores nor an embedding column.");
            }
            return new CnnClassificationTransformer(model, featureColumnName, labelColumnName, testTimeAugmentation, columns, scoringBatchSize, TrainingHistory.Empty);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The image shape the transformer reads, zero where the column gives it: the network's input, or with ten crops, which can be
    /// cut from larger images, its channels at any size.
    /// </summary>
    internal ImageShape ReadShape => TestTimeAugmentation == TestTimeAugmentation.TenCrop
        ? new ImageShape(Model.Spec.Input.Channels, 0, 0)
        : Model.Spec.Input;

    private ImageColumnBinding Bind(DataViewSchema schema)
    {
        ThrowIfDisposed();
        CheckLabelKeys(schema);
        var input = Model.Spec.Input;
        var binding = ImageColumnBinding.Bind(schema, FeatureColumnName, ReadShape);
        try
        {
            _ = new TestTimeAugmenter(TestTimeAugmentation, binding.Shape, input);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Column '{FeatureColumnName}': {e.Message}", e);
        }
        return binding;
    }

    // ML.NET's evaluator counts a key the score vector has no slot for as a wrong prediction and reads keys by
    // position, so a label keyed differently from training would give wrong metrics without a word.
    private void CheckLabelKeys(DataViewSchema schema)
    {
        if (schema.GetColumnOrNull(LabelColumnName) is not { Type: KeyDataViewType key } label)
            return;
        int classCount = _columns.ClassCount;
        const string fix = "Key labels with the MapValueToKey fitted with the model (keep it in the pipeline), or with keyData listing the model's classes in order.";
        if (key.Count > (ulong)classCount)
            throw new ArgumentException($"Label column '{label.Name}' holds keys 1 to {key.Count}, but the model was trained on {classCount} classes: keys above {classCount} are outside the trained range. {fix}");
        if (_columns.Labels is not { } trained || ClassLabels.FromColumn(label) is not { } given)
            return;
        for (int i = 0; i < given.Count; i++)
        {
            if (given.Names[i] != trained.Names[i])
                throw new ArgumentException($"Label column '{label.Name}' keys '{given.Names[i]}' as {i + 1}, but the model's class {i + 1} is '{trained.Names[i]}'. {fix}");
        }
    }

    private void ThrowIfDisposed()
    {
        if (Model.IsDisposed)
            throw new ObjectDisposedException(nameof(CnnClassificationTransformer), "This CNN classifier was disposed, which freed its network; load or train it again.");
    }
}
