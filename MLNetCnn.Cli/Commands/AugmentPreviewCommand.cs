using System.CommandLine;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MLNetCnn.Cli.Data;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Plots;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary><c>mlnetcnn augment-preview</c>: writes a PNG grid of training images next to augmented versions of them.</summary>
internal static class AugmentPreviewCommand
{
    public static Command Create(CliConsole console)
    {
        var data = CommonOptions.Data("the embedded Fashion-MNIST subset");
        var augment = new Option<string>("--augment")
        {
            Description = $"Comma-separated stages, applied in order, each with an optional setting (name=value): {AugmentationRecipe.Help}.",
            DefaultValueFactory = _ => "crop,hflip,affine",
        };
        var samples = new Option<int>("--samples") { Description = "Training images shown, one per row (1-64).", DefaultValueFactory = _ => 8 };
        var variants = new Option<int>("--variants") { Description = "Augmented versions of each image, one per pass over the data (1-32).", DefaultValueFactory = _ => 6 };
        var scale = new Option<int>("--scale") { Description = "Grid pixels per image pixel (1-16).", DefaultValueFactory = _ => 3 };
        var imageSize = CommonOptions.ImageSize();
        var seed = CommonOptions.Seed("Seed of the random draws.");
        var output = new Option<string>("--output", "-o") { Description = "Where to write the PNG.", DefaultValueFactory = _ => "augment-preview.png" };

        var command = new Command("augment-preview", "Write a PNG grid of training images (first column) and augmented versions of them, to check an augmentation recipe by eye.")
        {
            data, augment, samples, variants, scale, imageSize, seed, output,
        };
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var (width, height) = TrainCommand.ParseImageSize(parse.GetValue(imageSize)!);
            Preview(console, parse.GetValue(data), parse.GetValue(augment)!, parse.GetValue(samples), parse.GetValue(variants), parse.GetValue(scale),
                new ImageRequest(CnnColumnNames.Features, width, height, skipUnreadable: false), parse.GetValue(seed), parse.GetValue(output)!);
        }));
        return command;
    }

    private static void Preview(CliConsole console, string? dataPath, string augment, int samples, int variants, int scale, ImageRequest request,
        int seed, string outputPath)
    {
        CheckRange("--samples", samples, 64);
        CheckRange("--variants", variants, 32);
        CheckRange("--scale", scale, 16);
        var recipe = AugmentationRecipe.Parse(augment, "--augment");
        if (recipe.CropSize is not null)
            throw new ArgumentException("--augment: crop-to changes the image size, which a preview grid cannot show beside the originals.");

        var mlContext = new MLContext(seed: seed);
        var source = DataSource.Open(dataPath);
        var rows = mlContext.Data.TakeRows(source.Load(mlContext, DataSplit.Train, request), samples);
        var shape = AugmentationRecipe.ShapeOf(rows.Schema[CnnColumnNames.Features]);
        var augmented = recipe.Create(mlContext, shape).Fit(rows).Transform(rows);

        // Column 0 holds the original images, column k the k-th pass over the augmented data.
        var columns = new List<float[][]> { Pixels(mlContext, rows) };
        for (int pass = 0; pass < variants; pass++)
            columns.Add(Pixels(mlContext, augmented));
        var grid = ImageGallery.Draw([.. Enumerable.Range(0, columns[0].Length).Select(row => new GalleryRow([.. columns.Select(c => c[row])]))], shape, scale);
        grid.SavePng(outputPath);
        console.Ansi.MarkupLineInterpolated(
            $"Wrote [bold]{Path.GetFullPath(outputPath)}[/] ({grid.Width}x{grid.Height} pixels): {columns[0].Length} training images from {source.Description}, each followed by {variants} augmented versions ({recipe.ToString()}).");
    }

    private static void CheckRange(string option, int value, int max)
    {
        if (value < 1 || value > max)
            throw new ArgumentOutOfRangeException(option, value, $"{option} must be between 1 and {max}; got {value}.");
    }

    // Images become CHW vectors of red, green and blue through ML.NET's own ExtractPixels; one call reads one pass over the data.
    private static float[][] Pixels(MLContext mlContext, IDataView data) =>
        [.. AsPixels(mlContext, data).GetColumn<float[]>(CnnColumnNames.Features)];

    private static IDataView AsPixels(MLContext mlContext, IDataView data) =>
        data.Schema[CnnColumnNames.Features].Type is ImageDataViewType
            ? mlContext.Transforms.ExtractPixels(CnnColumnNames.Features).Fit(data).Transform(data)
            : data;
}
