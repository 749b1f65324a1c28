using System.CommandLine;
using Microsoft.ML;
using MLNetCnn.Cli.Data;
using MLNetCnn.Explanations;
using MLNetCnn.Plots;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary><c>mlnetcnn explain</c>: one PNG per image file with its heat map (Grad-CAM or saliency) and its most probable classes.</summary>
internal static class ExplainCommand
{
    public static Command Create(CliConsole console)
    {
        var model = CommonOptions.Model();
        var images = new Argument<string[]>("images") { Description = "Image files, or folders whose image files (at any depth) are all explained.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "The folder to write one PNG per image into (named after the image).", Required = true };
        var method = new Option<ExplanationMethod>("--method", "-m")
        {
            Description = "gradcam (a layer's feature maps weighted by the class score's gradients) or saliency (the score's gradient per input pixel).",
            DefaultValueFactory = _ => ExplanationMethod.GradCam,
        };
        var layer = new Option<string?>("--layer")
        {
            Description = "For gradcam: the layer whose feature maps are weighted (a dotted name such as features or layer4). Default: the last " +
                "convolutional feature maps before the classifier head.",
        };
        var top = new Option<int>("--top", "-k") { Description = "How many of the most probable classes to list under each image.", DefaultValueFactory = _ => 3 };
        var skipUnreadable = CommonOptions.SkipUnreadable();
        var maxImagePixels = CommonOptions.MaxImagePixels();

        var command = new Command("explain", "Explain a saved model's predictions: for each image, a PNG of the image with its Grad-CAM or saliency heat map " +
            "over it and its most probable classes.")
        {
            model, images, output, method, layer, top, skipUnreadable, maxImagePixels,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
            Explain(console, parse.GetValue(model)!, parse.GetValue(images)!, parse.GetValue(output)!, parse.GetValue(method), parse.GetValue(layer),
                parse.GetValue(top), parse.GetValue(skipUnreadable), parse.GetValue(maxImagePixels))));
        return command;
    }

    private static void Explain(CliConsole console, string modelPath, string[] paths, string folder, ExplanationMethod method, string? layer, int top,
        bool skipUnreadable, long maxImagePixels)
    {
        if (top < 1)
            throw new ArgumentException($"--top must be at least 1, not {top}.");
        var mlContext = new MLContext(seed: 1);
        using var model = ModelFile.Load(mlContext, modelPath);
        var classifier = model.Classifier;
        var network = classifier.Model;
        var input = network.Spec.Input;
        var request = new ImageRequest(classifier.FeatureColumnName, input.Width, input.Height, skipUnreadable, maxImagePixels);
        if (method == ExplanationMethod.GradCam)
            layer ??= network.DefaultExplanationLayer;
        else if (layer is not null)
            throw new ArgumentException("--layer is for --method gradcam; saliency explains through the input pixels.");

        Directory.CreateDirectory(folder);
        var written = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, pixels) in ImageFilePixels.Read(mlContext, classifier, paths, request))
        {
            var map = network.Explain(pixels, method, layer);
            var picture = ExplanationFigure.Draw(pixels, input, map, classifier.ClassNames, Math.Min(top, classifier.ClassNames.Count));
            string file = UniqueName(written, Path.GetFileNameWithoutExtension(path));
            picture.SavePng(Path.Combine(folder, file));
            console.Ansi.MarkupLineInterpolated($"{path}: {classifier.ClassNames[map.ClassIndex]} ({map.Probabilities[map.ClassIndex]:P1}) -> {file}");
        }
        TrainCommand.ReportSkipped(console, request.Skipped);
        string how = method == ExplanationMethod.GradCam ? $"Grad-CAM over layer '{layer}'" : "gradient saliency";
        console.Ansi.MarkupLineInterpolated($"Wrote {written.Count} explanations ({how}) in [bold]{Path.GetFullPath(folder)}[/].");
    }

    /// <summary>The image's name with .png, numbered when two images share a name.</summary>
    private static string UniqueName(HashSet<string> taken, string name)
    {
        string file = name + ".png";
        for (int n = 2; !taken.Add(file); n++)
            file = $"{name}-{n}.png";
        return file;
    }
}
