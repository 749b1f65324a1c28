using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetCnn.Runtime;
using MLNetCnn.Training;

namespace MLNetCnn.Estimators;

/// <summary>
/// A trained CNN classifier in an ML.NET pipeline. It adds a <c>Score</c> column (class probabilities)
/// and a <c>PredictedLabel</c> key column, scores on batches when data is streamed and row by row in a
/// <c>PredictionEngine</c>, and saves with <c>mlContext.Model.Save</c>. Thread-safe for scoring;
/// <see cref="Dispose"/> frees the network's native memory.
/// </summary>
public sealed class CnnClassificationTransformer : ITransformer, ICanSaveModel, IDisposable
{
    internal const string LoaderSignature = "MLNetCnnClassifier";
    internal const string UserName = "MLNetCnn CNN classifier";
    private static readonly LoaderIdentity Identity = new(ModelSignature: "MLNETCNN", Version: 0x00010001, LoaderSignature);

    private readonly ScoreColumns _columns;
    private readonly int _scoringBatchSize;

    internal CnnClassificationTransformer(CnnModel model, string featureColumnName, ScoreColumns columns, int scoringBatchSize,
        IReadOnlyList<EpochReport> trainingHistory)
    {
        Model = model;
        FeatureColumnName = featureColumnName;
        _columns = columns;
        _scoringBatchSize = scoringBatchSize;
        TrainingHistory = trainingHistory;
    }

    /// <summary>The trained network, its architecture, spec and device.</summary>
    public CnnModel Model { get; }

    /// <summary>The image or pixel-vector column the network reads.</summary>
    public string FeatureColumnName { get; }

    /// <summary>The class names in key order (the label's key values, or the key indices as text).</summary>
    public IReadOnlyList<string> ClassNames =>
        _columns.Labels?.Names ?? [.. Enumerable.Range(0, _columns.ClassCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>The report of each training epoch; empty for a model loaded from a file.</summary>
    public IReadOnlyList<EpochReport> TrainingHistory { get; }

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
        return new CnnScoredDataView(input, Bind(input.Schema), Model, _columns, _scoringBatchSize);
    }

    /// <inheritdoc/>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) =>
        new CnnRowMapper(inputSchema, Bind(inputSchema), Model, _columns);

    /// <summary>Frees the network's native memory; the transformer cannot score afterwards.</summary>
    public void Dispose() => Model.Dispose();

    void ICanSaveModel.Save(ModelSaveContext context) => MlNetBridge.SaveModel(context, Identity, writer =>
    {
        writer.Write(FeatureColumnName);
        writer.Write(_columns.ScoreColumnName);
        writer.Write(_columns.PredictedLabelColumnName);
        writer.Write(_scoringBatchSize);
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
        var (gpuDeviceId, fallbackToCpu) = MlNetBridge.GetDeviceSettings(environment);
        var device = DeviceSelector.Select(ComputeDevice.Auto, gpuDeviceId, fallbackToCpu);
        var model = CnnModel.Load(reader.BaseStream, device.Device, "the saved CNN classifier");
        var labels = reader.ReadBoolean() ? ClassLabels.Load(reader, model.Spec.ClassCount) : null;
        var columns = new ScoreColumns(scoreColumnName, predictedLabelColumnName, model.Spec.ClassCount, labels);
        return new CnnClassificationTransformer(model, featureColumnName, columns, scoringBatchSize, []);
    }

    private ImageColumnBinding Bind(DataViewSchema schema) =>
        ImageColumnBinding.Bind(schema, FeatureColumnName, Model.Spec.Input);
}
