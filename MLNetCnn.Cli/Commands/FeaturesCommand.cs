using System.CommandLine;
using Microsoft.ML;
using MLNetCnn.Cli.Data;
using MLNetCnn.Visualization;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary><c>mlnetcnn features</c>: a PNG grid of the feature maps one layer of a saved model outputs for one image.</summary>
internal static class FeaturesCommand
{
    public static Command Create(CliConsole console)
    {
        var model = CommonOptions.Model();
        var image = new Argument<string>("image") { Description = "The image file." };
        var layer = new Option<string>("--layer", "-l")
        {
            Description = "The layer whose output is drawn: a dotted name such as features.c3 or layer2.0 (an unknown name lists the layers there are).",
            Required = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the PNG.", DefaultValueFactory = _ => "features.png" };
        var scale = new Option<int>("--scale") { Description = "Pixels per activation (0-32); 0 picks one so each map is about 40 pixels.", DefaultValueFactory = _ => 0 };
        var maxImagePixels = CommonOptions.MaxImagePixels();

        var command = new Command("features", "Draw what a layer of a saved model sees: its feature maps for one image, one grey tile per channel, as a PNG grid.")
        {
            model, image, layer, output, scale, maxImagePixels,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
            Draw(console, parse.GetValue(model)!, parse.GetValue(image)!, parse.GetValue(layer)!, parse.GetValue(output)!, parse.GetValue(scale),
                parse.GetValue(maxImagePixels))));
        return command;
    }

    private static void Draw(CliConsole console, string modelPath, string imagePath, string layer, string outputPath, int scale, long maxImagePixels)
    {
        if (scale is < 0 or > 32)
            throw new ArgumentOutOfRangeException("--scale", scale, $"--scale must be between 0 and 32; got {scale}.");
        if (!File.Exists(imagePath))
            throw new FileNotFoundException($"The image file '{imagePath}' does not exist.", imagePath);
        var mlContext = new MLContext(seed: 1);
        using var model = ModelFile.Load(mlContext, modelPath);
        var classifier = model.Classifier;
        var input = classifier.Model.Spec.Input;
        var request = new ImageRequest(classifier.FeatureColumnName, input.Width, input.Height, skipUnreadable: false, maxImagePixels);
        var (_, pixels) = ImageFilePixels.Read(mlContext, classifier, [imagePath], request).Single();
        var activations = classifier.Model.LayerOutput(pixels, layer);
        var grid = FeatureMapGrid.Render(activations, scale);
        grid.SavePng(outputPath);
        var (channels, height, width) = (activations.Shape[0], activations.Shape[1], activations.Shape[2]);
        console.Ansi.MarkupLineInterpolated(
            $"Wrote [bold]{Path.GetFullPath(outputPath)}[/] ({grid.Width}x{grid.Height} pixels): the {channels} {height}x{width} feature maps of layer '{layer}' for {imagePath}.");
    }
}
