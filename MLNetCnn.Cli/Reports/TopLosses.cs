using Microsoft.ML;
using Microsoft.ML.Data;
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
/// Finds the <c>k</c> highest-loss images of labelled data in one streaming pass that holds only those <c>k</c> (a min-heap on the
/// loss; an image's pixels are read only when it enters the heap), and draws them.
/// </summary>
internal static class TopLosses
{
    /// <summary>How many images the evaluation report shows by default.</summary>
    public const int DefaultCount = 16;

    private const double ProbabilityFloor = 1e-15;
    private const string PathColumn = "ImagePath";
    private const int ImagesPerRow = 8;
    private const int TargetImageSide = 84;

    /// <summary>The <paramref name="count"/> images of <paramref name="data"/> with the highest log-loss, highest first.</summary>
    /// <param name="classifier">The model.</param>
    /// <param name="data">Labelled images (a text <c>Label</c>, labels the model knows, as <see cref="Evaluation.Compute"/> checked).</param>
    /// <param name="count">How many to keep.</param>
    public static IReadOnlyList<TopLoss> Find(CnnClassificationTransformer classifier, IDataView data, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var classIndex = classifier.ClassNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var scored = classifier.Transform(data);
        var schema = scored.Schema;
        var image = ImageColumnBinding.Bind(schema, classifier.FeatureColumnName, classifier.ReadShape);
        var pathColumn = schema.GetColumnOrNull(PathColumn);
        DataViewSchema.Column[] columns = [schema[CnnColumnNames.Label], schema[CnnColumnNames.Score], image.Column, .. pathColumn is { } p ? [p] : Array.Empty<DataViewSchema.Column>()];

        var worst = new PriorityQueue<TopLoss, double>();
        using var cursor = scored.GetRowCursor(columns);
        var labelGetter = cursor.GetGetter<ReadOnlyMemory<char>>(schema[CnnColumnNames.Label]);
        var scoreGetter = cursor.GetGetter<VBuffer<float>>(schema[CnnColumnNames.Score]);
        var pathGetter = pathColumn is { } column ? cursor.GetGetter<ReadOnlyMemory<char>>(column) : null;
        var readImage = image.CreateReader(cursor);
        ReadOnlyMemory<char> label = default, path = default;
        VBuffer<float> scores = default;
        while (cursor.MoveNext())
        {
            scoreGetter(ref scores);
            labelGetter(ref label);
            var probabilities = scores.DenseValues().ToArray();
            string trueLabel = label.ToString();
            if (!classIndex.TryGetValue(trueLabel, out int truth))
                throw new InvalidDataException($"Row {cursor.Position} has the label '{trueLabel}', which the model does not know.");
            double probability = probabilities[truth];
            double loss = -Math.Log(Math.Max(probability, ProbabilityFloor));
            if (worst.Count == count && loss <= worst.Peek().Loss)
                continue;
            var pixels = new float[image.Shape.Size];
            readImage(pixels);
            pathGetter?.Invoke(ref path);
            int predicted = Array.IndexOf(probabilities, probabilities.Max());
            var entry = new TopLoss(cursor.Position, pathGetter is null ? null : path.ToString(), trueLabel, classifier.ClassNames[predicted], probability, loss)
            {
                Pixels = pixels,
                Shape = image.Shape,
            };
            if (worst.Count == count)
                worst.DequeueEnqueue(entry, loss);
            else
                worst.Enqueue(entry, loss);
        }
        return [.. worst.UnorderedItems.Select(e => e.Element).OrderByDescending(e => e.Loss).ThenBy(e => e.Row)];
    }

    /// <summary>
    /// The images (of one shape, as <see cref="Find"/> gives them) as a captioned grid: true label, prediction, and loss under each.
    /// </summary>
    public static RgbImage Draw(IReadOnlyList<TopLoss> losses)
    {
        ArgumentOutOfRangeException.ThrowIfZero(losses.Count);
        var shape = losses[0].Shape;
        var rows = losses.Chunk(ImagesPerRow).Select(chunk => new GalleryRow(
            [.. chunk.Select(l => l.Pixels)],
            Captions: [.. chunk.Select(l => FormattableString.Invariant($"true: {l.TrueLabel} ({l.TrueProbability:P0})\npredicted: {l.Predicted}\nloss {l.Loss:F2}"))]));
        int scale = Math.Clamp((int)Math.Round((double)TargetImageSide / Math.Max(shape.Height, shape.Width)), 1, 32);
        return ImageGallery.Draw([.. rows], shape, scale);
    }

}
