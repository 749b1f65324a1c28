using System.CommandLine;
using MLNetCnn.Runtime;

namespace MLNetCnn.Cli.Commands;

/// <summary>Options several commands share, so they read and behave the same everywhere.</summary>
internal static class CommonOptions
{
    /// <summary>The data set to read, in any format <see cref="Data.DataSource"/> recognises.</summary>
    public static Option<string?> Data(string defaultDescription) => new("--data", "-d")
    {
        Description = "The data: a folder of MNIST-style IDX files, of CIFAR-10/100 binary batches (or one .bin batch), of one " +
            $"subfolder of images per class (optionally inside train/ and test/, with val/ or validation/ to validate on), or a CSV/TSV list of image path and label. Default: {defaultDescription}.",
    };

    /// <summary>Whether unreadable image files are skipped (and counted) instead of stopping the command.</summary>
    public static Option<bool> SkipUnreadable() => new("--skip-unreadable")
    {
        Description = "Leave out image files that cannot be read or decoded, and report how many; by default the first one stops the command.",
    };

    /// <summary>The largest image file, in pixels, that is read (a decompression-bomb guard); larger files count as unreadable.</summary>
    public static Option<long> MaxImagePixels() => new("--max-image-pixels")
    {
        Description = "Refuse image files larger than this many pixels (width x height, read from the file's header before decoding): " +
            "they count as unreadable (see --skip-unreadable).",
        DefaultValueFactory = _ => Estimators.ImageFileOptions.DefaultMaxImagePixels,
    };

    /// <summary>The trainer's options as they are by default: the one source of the defaults of the flags that set them.</summary>
    public static readonly Estimators.CnnClassificationTrainer.Options TrainerDefaults = new();

    /// <summary>How many of the highest-loss test images a report shows; read it with <see cref="TopLossCount"/>.</summary>
    public static Option<int> TopLosses() => new("--top-losses")
    {
        Description = "How many of the images with the highest loss (true and predicted labels) the report folder shows; 0 for none.",
        DefaultValueFactory = _ => Reports.TopLosses.DefaultCount,
    };

    /// <summary>The value of a <see cref="TopLosses"/> option; a negative count is an error naming the flag.</summary>
    public static int TopLossCount(ParseResult parse, Option<int> option)
    {
        int count = parse.GetValue(option);
        if (count < 0)
            throw new ArgumentOutOfRangeException(option.Name, count, $"{option.Name} must be 0 or more; got {count}.");
        return count;
    }

    /// <summary>The seed of a command's random draws; <paramref name="description"/> says what it seeds there.</summary>
    public static Option<int> Seed(string description) => new("--seed") { Description = description, DefaultValueFactory = _ => 1 };

    /// <summary>The size image files are resized to.</summary>
    public static Option<string> ImageSize() => new("--image-size")
    {
        Description = "Image files are resized to this: N (square) or WIDTHxHEIGHT.",
        DefaultValueFactory = _ => "32",
    };

    /// <summary>The channels images are read as.</summary>
    public static Option<int?> Channels() => new("--channels")
    {
        Description = "Read images as 1 (grey) or 3 (RGB) channels; default: 3 for image files, the data's own otherwise.",
    };

    /// <summary>Images per mini-batch.</summary>
    public static Option<int> BatchSize() => new("--batch-size") { Description = "Images per mini-batch.", DefaultValueFactory = _ => TrainerDefaults.BatchSize };

    /// <summary>The device to train on.</summary>
    public static Option<ComputeDevice> Device() => new("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => ComputeDevice.Auto };

    /// <summary>Where training keeps its decoded images between runs (the trainer's CacheDirectory).</summary>
    public static Option<string?> Cache() => new("--cache")
    {
        Description = "A folder to keep the decoded training images in and reuse on the next run over the same data; by default a temporary " +
            "folder deleted after training.",
    };

    /// <summary>A saved model zip, as <c>train</c> writes it.</summary>
    public static Argument<string> Model() => new("model") { Description = "The model zip that train saved (model.zip in its output folder)." };
}
