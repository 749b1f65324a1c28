using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;
using MLNetCnn.Runtime;
using MLNetCnn.Training;

namespace MLNetCnn.Estimators;

/// <summary>
/// A trained CNN classifier in an ML.NET pipeline. It adds a <c>Score</c> column (class probabilities)
/// and a <c>PredictedLabel</c> key column, scores on batches when data is streamed and row by row in a
/// <c>PredictionEngine</c>, and saves with <c>mlContext.Model.Save</c>. With <see cref="TestTimeAugmentation"/> it
/// averages the class probabilities of several views of each image. Thread-safe for scoring;
/// <see cref="Dispose"/> frees the network's native memory.
/// </summary>
public sealed class CnnClassificationTransformer : ITransformer, ICanSaveModel, IDisposable
{
    internal const string LoaderSignature = "MLNetCnnClassifier";
    internal const string UserName = "MLNetCnn CNN classifier";
    private static readonly LoaderIdentity Identity = new(ModelSignature: "MLNETCNN", Version: 0x00010002, LoaderSignature);

    private readonly ScoreColumns _columns;
    private readonly int _scoringBatchSize;

    internal CnnClassificationTransformer(CnnModel model, string featureColumnName, TestTimeAugmentation testTimeAugmentation, ScoreColumns columns,
        int scoringBatchSize, TrainingHistory trainingHistory)
    {
        Model = model;
        FeatureColumnName = featureColumnName;
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

    /// <summary>The class names in key order (the label's key values, or the key indices as text).</summary>
    public IReadOnlyList<string> ClassNames =>
        _columns.Labels?.Names ?? [.. Enumerable.Range(0, _columns.ClassCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

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
        return new CnnScoredDataView(input, Bind(input.Schema), Model, TestTimeAugmentation, _columns, _scoringBatchSize);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        new CnnRowMapper(inputSchema, Bind(inputSchema), Model, TestTimeAugmentation, _columns);

    /// <summary>Frees the network's native memory; the transformer cannot score afterwards.</summary>
    public void Dispose() => Model.Dispose();

    void ICanSaveModel.Save(ModelSaveContext context) => MlNetBridge.SaveModel(context, Identity, writer =>
    {
        writer.Write(FeatureColumnName);
        writer.Write(_columns.ScoreColumnName);
        writer.Write(_columns.PredictedLabelColumnName);
        writer.Write(_scoringBatchSize);
        writer.Write((int)TestTimeAugmentation);
        writer.Flush();
        Model.Save(writer.BaseStream);
        writer.Write(_columns.Labels is not null);
        _columns.Labels?.Save(writer);
    });

    // ML.NET's model loader finds this by name and signature (see the LoadableClass attribute in MlNetBridge).
    private static CnnClassificationTransformer Create(IHostEnvironment environment, ModelLoadContext loadContext)
    {
        var reader = MlNetBridge.OpenModel(loadContext, Identity);
        string featureColumnName = reader.ReadString();
        string scoreColumnName = reader.ReadString();
        string predictedLabelColumnName = reader.ReadString();
        int scoringBatchSize = reader.ReadInt32();
        if (scoringBatchSize < 1)
            throw new InvalidDataException($"The saved CNN classifier has an invalid scoring batch size {scoringBatchSize}.");
        var testTimeAugmentation = (TestTimeAugmentation)reader.ReadInt32();
        if (!Enum.IsDefined(testTimeAugmentation))
            throw new InvalidDataException($"The saved CNN classifier has an unknown test-time augmentation {(int)testTimeAugmentation}.");
        var (gpuDeviceId, fallbackToCpu) = MlNetBridge.GetDeviceSettings(environment);
        var device = DeviceSelector.Select(ComputeDevice.Auto, gpuDeviceId, fallbackToCpu);
        var model = CnnModel.Load(reader.BaseStream, device.Device, "the saved CNN classifier");
        var labels = reader.ReadBoolean() ? ClassLabels.Load(reader, model.Spec.ClassCount) : null;
        var columns = new ScoreColumns(scoreColumnName, predictedLabelColumnName, model.Spec.ClassCount, labels);
        return new CnnClassificationTransformer(model, featureColumnName, testTimeAugmentation, columns, scoringBatchSize, TrainingHistory.Empty);
    }

    // Ten crops of the network's input size can be cut from larger images, so then the column gives the size.
    private ImageColumnBinding Bind(DataViewSchema schema)
    {
        var input = Model.Spec.Input;
        var binding = ImageColumnBinding.Bind(schema, FeatureColumnName,
            TestTimeAugmentation == TestTimeAugmentation.TenCrop ? new ImageShape(input.Channels, 0, 0) : input);
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
}
