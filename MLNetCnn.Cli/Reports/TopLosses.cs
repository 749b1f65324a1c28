using Microsoft.ML;
using Microsoft.ML.Data;
using MLNetCnn.Cli.Data;
using MLNetCnn.Data;
using MLNetCnn.Estimators;
using MLNetCnn.Plots;
using MLNetCnn.Visualization;

namespace MLNetCnn.Cli.Reports;

/// <summary>One of the images a model got most wrong: the highest log-losses, as fastai's "top losses" shows them.</summary>
/// <param name="Row">The image's row in the evaluated data, from 0.</param>
/// <param name="Image">The image file, when the data came from files.</param>
/// <param name="TrueLabel">Its label.</param>
/// <param name="Predicted">The model's most probable class.</param>
/// <param name="TrueProbability">The probability the model gave the true label.</param>
/// <param name="Loss">The log-loss of the image: -ln of <paramref name="TrueProbability"/> (at most -ln 1e-15, as ML.NET clips it).</param>
internal sealed record TopLoss(long Row, string? Image, string TrueLabel, string Predicted, double TrueProbability, double Loss)
{
    /// <summary>The image's CHW pixels, for the picture; not written to JSON.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public float[] Pixels { get; init; } = [];

    /// <summary>The shape of <see cref="Pixels"/>: the data's, larger than the network's input with ten-crop scoring.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ImageShape Shape { get; init; }
}

/// <summary>
/// Keeps the <c>k</c> highest-loss images of labelled data as the evaluator scores it, so one scoring pass serves the metrics and the
/// top losses: a min-heap on the loss holds only those <c>k</c>, and an image's pixels are read only when it enters the heap.
/// </summary>
internal sealed class TopLosses
{
    /// <summary>How many images the evaluation report shows by default.</summary>
    public const int DefaultCount = 16;

    private const double ProbabilityFloor = 1e-15;
    private const string PathColumn = "ImagePath";
    private const int ImagesPerRow = 8;
    private const int TargetImageSide = 84;

    private readonly CnnClassificationTransformer classifier;
    private readonly int count;
    private readonly Dictionary<string, int> classIndex;
    private IReadOnlyList<TopLoss>? highest;

    /// <summary>Prepares to keep the <paramref name="count"/> highest-loss images of what <paramref name="classifier"/> scores.</summary>
    /// <param name="classifier">The model.</param>
    /// <param name="count">How many to keep.</param>
    public TopLosses(CnnClassificationTransformer classifier, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        this.classifier = classifier;
        this.count = count;
        classIndex = classifier.ClassNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
    }

    /// <summary>
    /// The highest-loss images of the last pass read to its end over a view from <see cref="Watch"/>, highest first.
    /// </summary>
    /// <exception cref="InvalidOperationException">No pass was read to its end.</exception>
    public IReadOnlyList<TopLoss> Highest =>
        highest ?? throw new InvalidOperationException("No pass over the watched scores reached its end.");

    /// <summary>
    /// The view <paramref name="scored"/> (the classifier's output on labelled images: a text <c>Label</c> the model knows, as
    /// <see cref="Evaluation.Compute"/> checks) that finds the top losses in every pass another reader makes over it.
    /// </summary>
    public IDataView Watch(IDataView scored)
    {
        var schema = scored.Schema;
        var image = ImageColumnBinding.Bind(schema, classifier.FeatureColumnName, classifier.ReadShape);
        var path = schema.GetColumnOrNull(PathColumn);
        DataViewSchema.Column[] read = [schema[CnnColumnNames.Label], schema[CnnColumnNames.Score], image.Column];
        DataViewSchema.Column[] observed = path is { } column ? [.. read, column] : read;
        return new ObservedDataView(scored, observed, cursor => new Pass(this, cursor, image, path));
    }

    /// <summary>One pass's heap: it becomes <see cref="Highest"/> when the pass ends.</summary>
    private sealed class Pass : IPassObserver
    {
        private readonly TopLosses owner;
        private readonly DataViewRowCursor cursor;
        private readonly ImageColumnBinding image;
        private readonly ValueGetter<ReadOnlyMemory<char>> labelGetter;
        private readonly ValueGetter<VBuffer<float>> scoreGetter;
        private readonly ValueGetter<ReadOnlyMemory<char>>? pathGetter;
        private readonly Action<Span<float>> readImage;
        private readonly PriorityQueue<TopLoss, double> worst = new();
        private ReadOnlyMemory<char> label, path;
        private VBuffer<float> scores;

        public Pass(TopLosses owner, DataViewRowCursor cursor, ImageColumnBinding image, DataViewSchema.Column? pathColumn)
        {
            this.owner = owner;
            this.cursor = cursor;
            this.image = image;
            labelGetter = cursor.GetGetter<ReadOnlyMemory<char>>(cursor.Schema[CnnColumnNames.Label]);
            scoreGetter = cursor.GetGetter<VBuffer<float>>(cursor.Schema[CnnColumnNames.Score]);
            pathGetter = pathColumn is { } column ? cursor.GetGetter<ReadOnlyMemory<char>>(column) : null;
            readImage = image.CreateReader(cursor);
        }

        public void Row()
        {
            scoreGetter(ref scores);
            labelGetter(ref label);
            string trueLabel = label.ToString();
            if (!owner.classIndex.TryGetValue(trueLabel, out int truth))
                throw new InvalidDataException($"Row {cursor.Position} has the label '{trueLabel}', which the model does not know.");
            double probability = scores.GetItemOrDefault(truth);
            double loss = -Math.Log(Math.Max(probability, ProbabilityFloor));
            if (worst.Count == owner.count && loss <= worst.Peek().Loss)
                return;
            var pixels = new float[image.Shape.Size];
            readImage(pixels);
            pathGetter?.Invoke(ref path);
            var probabilities = scores.DenseValues().ToArray();
            int predicted = Array.IndexOf(probabilities, probabilities.Max());
            string? file = pathGetter is null ? null : path.ToString();
            var entry = new TopLoss(cursor.Position, file, trueLabel, owner.classifier.ClassNames[predicted], probability, loss)
            {
                Pixels = pixels,
                Shape = image.Shape,
            };
            if (worst.Count == owner.count)
                worst.DequeueEnqueue(entry, loss);
            else
                worst.Enqueue(entry, loss);
        }

        public void End() =>
            owner.highest = [.. worst.UnorderedItems.Select(e => e.Element).OrderByDescending(e => e.Loss).ThenBy(e => e.Row)];
    }

    /// <summary>
    /// The images (of one shape, as <see cref="Highest"/> gives them) as a captioned grid: true label, prediction, and loss under each.
    /// </summary>
    public static RgbImage Draw(IReadOnlyList<TopLoss> losses)
    {
        ArgumentOutOfRangeException.ThrowIfZero(losses.Count);
        var shape = losses[0].Shape;
        var rows = losses.Chunk(ImagesPerRow).Select(chunk => new GalleryRow(
            [.. chunk.Select(l => l.Pixels)],
            Captions: [.. chunk.Select(Caption)]));
        int scale = Math.Clamp((int)Math.Round((double)TargetImageSide / Math.Max(shape.Height, shape.Width)), 1, 32);
        return ImageGallery.Draw([.. rows], shape, scale);
    }

    private static string Caption(TopLoss loss) => FormattableString.Invariant(
        $"true: {loss.TrueLabel} ({loss.TrueProbability:P0})\npredicted: {loss.Predicted}\nloss {loss.Loss:F2}");
}
