using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNetCnn.Augmentation;
using MLNetCnn.Data;

// Model.Load finds the loader of saved image stages through this, as for the classifier.
[assembly: LoadableClass(typeof(MLNetCnn.Estimators.ImageOperationTransformer), null, typeof(SignatureLoadModel),
    MLNetCnn.Estimators.ImageOperationTransformer.UserName, MLNetCnn.Estimators.ImageOperationTransformer.LoaderSignature)]

namespace MLNetCnn.Estimators;

/// <summary>
/// A fitted image stage (augmentation or normalisation) of an ML.NET pipeline: applies its
/// <see cref="ImageOperation"/> to an image or CHW pixel-vector column and writes the result to
/// <see cref="OutputColumnName"/>. Random stages draw afresh on every pass over the data (every cursor), from
/// <see cref="Seed"/> and the pass number, and mark their output column so the CNN trainer re-reads it every epoch.
/// </summary>
/// <remarks>
/// Random stages belong in the training part of a pipeline only: append them with
/// <c>AppendTrainingOnly</c> (ML.NET's <c>TransformerScope.Training</c>), so that <c>model.Transform</c>
/// skips them when scoring, also after saving and loading. ML.NET's <c>PredictionEngine</c> runs every stage of
/// a chain whatever its scope, so as a row-to-row mapper a random stage passes rows through unchanged: a single
/// prediction is never augmented.
/// </remarks>
public sealed class ImageOperationTransformer : ITransformer, ICanSaveModel
{
    internal const string LoaderSignature = "MLNetCnnImageOperation";
    internal const string UserName = "MLNetCnn image operation";
    private static readonly LoaderIdentity Identity = new(ModelSignature: "MLCNNIMG", Version: 0x00010001, LoaderSignature);

    private long _passes;

    internal ImageOperationTransformer(ImageOperation operation, string inputColumnName, string outputColumnName, int seed)
    {
        Operation = operation;
        InputColumnName = inputColumnName;
        OutputColumnName = outputColumnName;
        Seed = seed;
    }

    /// <summary>The operation applied to every image.</summary>
    public ImageOperation Operation { get; }

    /// <summary>The column read.</summary>
    public string InputColumnName { get; }

    /// <summary>The column written.</summary>
    public string OutputColumnName { get; }

    /// <summary>The seed of the random draws: pass k over the data always gives the same images.</summary>
    public int Seed { get; }

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => CreateMapper(inputSchema).OutputSchema;

    /// <inheritdoc/>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, CreateMapper(input.Schema));
    }

    /// <summary>The stage as a row mapper: the identity for a random stage (see the remarks), the operation otherwise.</summary>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        return Operation.IsRandom ? new PassThroughRowMapper(inputSchema) : CreateMapper(inputSchema);
    }

    void ICanSaveModel.Save(ModelSaveContext context) => MlNetBridge.SaveModel(context, Identity, writer =>
    {
        writer.Write(InputColumnName);
        writer.Write(OutputColumnName);
        writer.Write(Seed);
        Operation.Save(writer);
    });

    // ML.NET's model loader finds this by name and signature (see the LoadableClass attribute above the namespace).
    private static ImageOperationTransformer Create(IHostEnvironment environment, ModelLoadContext loadContext)
    {
        var reader = MlNetBridge.OpenModel(loadContext, Identity);
        string inputColumnName = reader.ReadString();
        string outputColumnName = reader.ReadString();
        int seed = reader.ReadInt32();
        return new ImageOperationTransformer(ImageOperation.Load(reader), inputColumnName, outputColumnName, seed);
    }

    private ImageOperationMapper CreateMapper(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var binding = ImageColumnBinding.Bind(inputSchema, InputColumnName, default(ImageShape));
        return new ImageOperationMapper(inputSchema, binding, Operation, OutputColumnName, Seed, () => Interlocked.Increment(ref _passes) - 1);
    }
}
