using System.Reflection;
using System.Text.Json;
using Google.Protobuf;
using MLNetCnn.Augmentation;
using MLNetCnn.Export;
using MLNetCnn.IO;
using Onnx;

namespace MLNetCnn.Onnx;

/// <summary>
/// Writes a <see cref="CnnModel"/> as a standard ONNX model (opset <see cref="OpsetVersion"/>) that ONNX Runtime, and
/// ML.NET's <c>ApplyOnnxModel</c>, score without TorchSharp. The graph takes raw pixels as (batch, channels, height,
/// width) floats, standardises them with the model's <see cref="CnnModel.Normalization"/>, runs the network in
/// evaluation mode and outputs (batch, classes) probabilities; the batch size is free. Metadata under
/// <see cref="OnnxMetadataKeys"/> records the architecture, class names, input shape, normalisation and test-time augmentation.
/// </summary>
/// <remarks>
/// Every built-in architecture exports, as do registered networks built from <c>nn.Sequential</c> and the layers the
/// built-in ones use. The graph is the evaluation-mode network: dropout is left out, batch normalisation uses its running
/// statistics, stochastic pooling its probability-weighted average, and GoogLeNet's auxiliary classifiers are not part
/// of it. A layer without an ONNX form stops the export with a <see cref="NotSupportedException"/> naming it.
/// </remarks>
public static class OnnxExport
{
    /// <summary>The version of the standard ONNX operator set the models use (that of ONNX 1.12).</summary>
    public const int OpsetVersion = GraphBuilder.OpsetVersion;

    /// <summary>Writes <paramref name="model"/> as an ONNX model to <paramref name="destination"/>.</summary>
    /// <param name="model">The model to export.</param>
    /// <param name="destination">The stream to write the ONNX protobuf to.</param>
    /// <param name="options">Input and output names, class names and test-time augmentation; the defaults when null.</param>
    /// <exception cref="NotSupportedException">A layer of the network has no ONNX form; the message names it.</exception>
    public static void ExportToOnnx(this CnnModel model, Stream destination, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(destination);
        Build(model, options ?? new OnnxExportOptions()).WriteTo(destination);
    }

    /// <summary>
    /// Writes <paramref name="model"/> as an ONNX model file, atomically: a failure part-way leaves any previous file at
    /// <paramref name="path"/> as it was.
    /// </summary>
    /// <param name="model">The model to export.</param>
    /// <param name="path">The file to write, conventionally with the extension <c>.onnx</c>.</param>
    /// <param name="options">Input and output names, class names and test-time augmentation; the defaults when null.</param>
    /// <exception cref="NotSupportedException">A layer of the network has no ONNX form; the message names it.</exception>
    public static void ExportToOnnx(this CnnModel model, string path, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var proto = Build(model, options ?? new OnnxExportOptions());
        AtomicFile.Write(path, proto.WriteTo);
    }

    private static ModelProto Build(CnnModel model, OnnxExportOptions options)
    {
        int classCount = model.Spec.ClassCount;
        var classNames = options.ClassNames ?? [.. Enumerable.Range(0, classCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        if (classNames.Count != classCount)
            throw new ArgumentException($"{classNames.Count} class names were given for a model of {classCount} classes.", nameof(options));

        var writer = new OnnxGraphWriter();
        writer.Graph.Name = model.Architecture;
        // The graph of what the model scores with: its network in evaluation mode, or the fused copy of it.
        bool wasTraining = model.Network.training;
        model.Network.eval();
        try
        {
            model.UseScoringNetwork(network => GraphBuilder.Build(network, model.Architecture, model.Spec, model.Normalization,
                model.Device, writer, options.InputName, options.OutputName, options.TestTimeAugmentation));
        }
        finally
        {
            model.Network.train(wasTraining);
        }
        var input = model.Spec.Input;
        var proto = new ModelProto
        {
            IrVersion = (long)global::Onnx.Version.IrVersion,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = OpsetVersion } },
            ProducerName = "MLNetCnn",
            ProducerVersion = typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "",
            DocString = $"{model.Architecture} image classifier for {input} images and {classCount} classes, exported by MLNetCnn: " +
                $"input '{options.InputName}' takes raw pixels as (batch, channels, height, width) floats, " +
                $"output '{options.OutputName}' gives (batch, {classCount}) class probabilities" +
                (options.TestTimeAugmentation == TestTimeAugmentation.None ? "." : $", the mean over the views of test-time augmentation {options.TestTimeAugmentation}."),
            Graph = writer.Graph,
        };
        proto.MetadataProps.Add(Entry(OnnxMetadataKeys.Architecture, model.Architecture));
        proto.MetadataProps.Add(Entry(OnnxMetadataKeys.ClassNames, JsonSerializer.Serialize(classNames)));
        proto.MetadataProps.Add(Entry(OnnxMetadataKeys.InputShape, JsonSerializer.Serialize(new[] { input.Channels, input.Height, input.Width })));
        proto.MetadataProps.Add(Entry(OnnxMetadataKeys.NormalizationMean, JsonSerializer.Serialize(model.Normalization.Mean)));
        proto.MetadataProps.Add(Entry(OnnxMetadataKeys.NormalizationStd, JsonSerializer.Serialize(model.Normalization.Std)));
        proto.MetadataProps.Add(Entry(OnnxMetadataKeys.TestTimeAugmentation, options.TestTimeAugmentation.ToString()));
        return proto;
    }

    private static StringStringEntryProto Entry(string key, string value) => new() { Key = key, Value = value };
}
