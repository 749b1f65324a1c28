using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using MLNetCnn.Cli.Data;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.IO;
using MLNetCnn.Runtime;
using MLNetCnn.Training;
using Spectre.Console;

namespace MLNetCnn.Cli.Commands;

/// <summary><c>mlnetcnn lr-find</c>: the learning-rate range test, with the loss at each rate tried and a suggested rate.</summary>
internal static class LrFindCommand
{
    private const int TableRows = 12;

    public static Command Create(CliConsole console)
    {
        var data = CommonOptions.Data("the embedded Fashion-MNIST subset");
        var architecture = new Option<string>("--arch")
        {
            Description = $"The architecture: {string.Join(", ", ModelZoo.Names)}.",
            DefaultValueFactory = _ => TrainDefaults.Architecture,
        };
        var batchSize = CommonOptions.BatchSize();
        var device = CommonOptions.Device();
        var seed = CommonOptions.Seed("Seed for initialisation and shuffling.");
        var imageSize = CommonOptions.ImageSize();
        var channels = CommonOptions.Channels();
        var skipUnreadable = CommonOptions.SkipUnreadable();
        var maxImagePixels = CommonOptions.MaxImagePixels();
        var cache = CommonOptions.Cache();
        var start = new Option<double>("--start-lr") { Description = "The learning rate of the first step.", DefaultValueFactory = _ => 1e-7 };
        var end = new Option<double>("--end-lr") { Description = "The learning rate of the last step.", DefaultValueFactory = _ => 10 };
        var steps = new Option<int>("--steps") { Description = "Mini-batch steps from --start-lr to --end-lr, growing geometrically.", DefaultValueFactory = _ => 100 };
        var csv = new Option<string?>("--csv") { Description = "Also write every step's learning rate, loss and smoothed loss to this CSV file." };
        var optimization = new OptimizationFlags();

        var command = new Command("lr-find", "Run the learning-rate range test: train briefly at growing learning rates, print the loss at each and suggest one.")
        {
            data, architecture, batchSize, device, seed, imageSize, channels, skipUnreadable, maxImagePixels, cache, start, end, steps, csv,
        };
        optimization.AddTo(command);
        command.SetAction(parse => CommandRunner.Run(console, () =>
        {
            var options = new CnnClassificationTrainer.Options
            {
                Architecture = parse.GetValue(architecture)!,
                BatchSize = parse.GetValue(batchSize),
                Device = parse.GetValue(device),
                Seed = parse.GetValue(seed),
                FeatureColumnName = CnnColumnNames.Features,
                CacheDirectory = parse.GetValue(cache),
                SkipUnreadableImages = parse.GetValue(skipUnreadable),
            };
            optimization.ApplyTo(parse, options);
            var (width, height) = TrainCommand.ParseImageSize(parse.GetValue(imageSize)!);
            var request = new ImageRequest(CnnColumnNames.Features, width, height, parse.GetValue(skipUnreadable), parse.GetValue(maxImagePixels));
            var finder = new LearningRateFinderOptions { StartLearningRate = parse.GetValue(start), EndLearningRate = parse.GetValue(end), Steps = parse.GetValue(steps) };
            FindLearningRate(console, parse.GetValue(data), options, parse.GetValue(channels), request, finder, parse.GetValue(csv));
        }));
        return command;
    }

    private static void FindLearningRate(CliConsole console, string? dataPath, CnnClassificationTrainer.Options options, int? channels, ImageRequest request,
        LearningRateFinderOptions finder, string? csvPath)
    {
        if (channels is not (null or 1 or 3))
            throw new ArgumentException($"--channels must be 1 (grey) or 3 (RGB), not {channels}.");
        var mlContext = new MLContext(seed: options.Seed);
        var source = DataSource.Open(dataPath);
        options.ImageChannels = channels ?? (source.IsImageFiles ? 3 : 0);
        var train = source.Load(mlContext, DataSplit.Train, request);
        TrainCommand.ReportSkipped(console, request.Skipped);
        console.Ansi.MarkupLineInterpolated($"Learning-rate range test of [bold]{options.Architecture}[/] on {source.Description}.");
        var keyed = LabelKeys.Map(mlContext, CnnColumnNames.Label, source.ClassNames).Fit(train).Transform(train);
        var search = mlContext.MulticlassClassification.Trainers.Cnn(options).FindLearningRate(keyed, finder);

        var table = new Table().AddColumns("Learning rate", "Loss", "Smoothed loss");
        int stride = Math.Max(1, (int)Math.Ceiling(search.Points.Count / (double)TableRows));
        foreach (var point in search.Points.Where((_, i) => i % stride == 0 || i == search.Points.Count - 1))
            table.AddRow(Format(point.LearningRate), Invariant($"{point.Loss:F4}"), Invariant($"{point.SmoothedLoss:F4}"));
        console.Ansi.Write(table);
        console.Ansi.MarkupLineInterpolated($"Suggested learning rate: [bold]{Format(search.SuggestedLearningRate)}[/] (where the smoothed loss falls fastest).");
        console.Output.WriteLine($"Lowest smoothed loss at {Format(search.LowestLossLearningRate)} (a tenth of it: {Format(search.LowestLossLearningRate / 10)}).");
        if (csvPath is not null)
        {
            AtomicFile.Write(csvPath, stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
                writer.WriteLine("learning_rate,loss,smoothed_loss");
                foreach (var point in search.Points)
                    writer.WriteLine(Invariant($"{point.LearningRate:R},{point.Loss:R},{point.SmoothedLoss:R}"));
            });
            console.Ansi.MarkupLineInterpolated($"Wrote the curve to [bold]{Path.GetFullPath(csvPath)}[/].");
        }
    }

    private static string Format(double learningRate) => learningRate.ToString("G3", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
