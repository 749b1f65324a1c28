using System.CommandLine;
using Microsoft.ML;
using MLNetCnn.Augmentation;
using MLNetCnn.Estimators;
using MLNetCnn.Onnx;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary><c>mlnetcnn export</c>: writes the CNN of a saved model as an ONNX model for ONNX Runtime and ML.NET's
/// ApplyOnnxModel.</summary>
internal static class ExportCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model", "-m") { Description = "The model zip that train saved (model.zip in its output folder).", Required = true };
        var onnx = new Option<string?>("--onnx") { Description = "The ONNX file to write. Default: the model's path with the extension .onnx." };

        var command = new Command("export", "Export a saved model's CNN as an ONNX model (input: raw pixels, output: class probabilities) that ONNX Runtime and ML.NET's ApplyOnnxModel score without TorchSharp.")
        {
            model, onnx,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            string modelPath = parse.GetValue(model)!;
            Export(console, modelPath, parse.GetValue(onnx) ?? Path.ChangeExtension(modelPath, ".onnx"));
        }));
        return command;
    }

    private static void Export(CliConsole console, string modelPath, string onnxPath)
    {
        var mlContext = new MLContext(seed: 1);
        using var model = ModelFile.Load(mlContext, modelPath);
        var classifier = model.Classifier;
        mlContext.Model.ConvertCnnToOnnx(classifier, onnxPath);
        var input = classifier.Model.Spec.Input;
        long kilobytes = new FileInfo(onnxPath).Length / 1024;
        string views = classifier.TestTimeAugmentation == TestTimeAugmentation.None ? "" : $", averaged over the views of {classifier.TestTimeAugmentation}";
        console.Ansi.MarkupLineInterpolated($"Wrote [bold]{Path.GetFullPath(onnxPath)}[/] ({kilobytes:N0} KB, ONNX opset {OnnxExport.OpsetVersion}): {classifier.Model.Architecture}, input '{classifier.FeatureColumnName}' (N x {input} pixels), output '{classifier.ScoreColumnName}' (N x {classifier.ClassNames.Count} probabilities{views}).");
    }
}
