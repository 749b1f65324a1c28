using MLNetCnn.Augmentation;
using MLNetCnn.Data;

namespace MLNetCnn;

/// <summary>
/// Scores images through a <see cref="CnnModel"/> with test-time augmentation: cuts each image into the views
/// of a <see cref="TestTimeAugmentation"/>, scores all views in one batch and averages their class
/// probabilities. Holds scratch buffers, so use one instance per thread.
/// </summary>
public sealed class TestTimeAugmenter
{
    private readonly float[] _mirrorScratch;
    private float[] _views = [];
    private float[] _probabilities = [];

    /// <summary>Prepares the views of images of <paramref name="imageShape"/> for a network taking <paramref
    /// name="networkInput"/>.</summary>
    /// <exception cref="ArgumentException">The images do not fit: a different channel count, smaller than the network input, or a different
    /// size without <see cref="TestTimeAugmentation.TenCrop"/>.</exception>
    public TestTimeAugmenter(TestTimeAugmentation mode, ImageShape imageShape, ImageShape networkInput)
    {
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown test-time augmentation.");
        bool fits = mode == TestTimeAugmentation.TenCrop
            ? imageShape.Channels == networkInput.Channels && imageShape.Height >= networkInput.Height && imageShape.Width >= networkInput.Width
            : imageShape == networkInput;
        if (!fits)
        {
            throw new ArgumentException(mode == TestTimeAugmentation.TenCrop
                ? $"Ten-crop test-time augmentation needs images of {networkInput.Channels} channel(s) at least {networkInput.Height}x{networkInput.Width}; got {imageShape}."
                : $"The network takes images of shape {networkInput}; got {imageShape}. Resize them, or score larger images with TestTimeAugmentation.TenCrop.");
        }
        Mode = mode;
        ImageShape = imageShape;
        NetworkInput = networkInput;
        Views = mode switch
        {
            TestTimeAugmentation.None => [new CropView(0, 0, false)],
            TestTimeAugmentation.HorizontalFlip => [new CropView(0, 0, false), new CropView(0, 0, true)],
            _ => TenCrops(imageShape, networkInput),
        };
        _mirrorScratch = mode == TestTimeAugmentation.None ? [] : new float[networkInput.Size];
    }

    /// <summary>The augmentation.</summary>
    public TestTimeAugmentation Mode { get; }

    /// <summary>The shape of the images scored.</summary>
    public ImageShape ImageShape { get; }

    /// <summary>The shape the network takes.</summary>
    public ImageShape NetworkInput { get; }

    /// <summary>Where each view is cut from an image, and whether it is mirrored.</summary>
    public IReadOnlyList<CropView> Views { get; }

    /// <summary>Writes the views of one image, one after another, into <paramref name="views"/>.</summary>
    public void CutViews(ReadOnlySpan<float> image, Span<float> views)
    {
        if (image.Length != ImageShape.Size)
            throw new ArgumentException($"An image of shape {ImageShape} has {ImageShape.Size} values; got {image.Length}.", nameof(image));
        if (views.Length != Views.Count * NetworkInput.Size)
            throw new ArgumentException($"{Views.Count} views of shape {NetworkInput} need {Views.Count * NetworkInput.Size} values; got {views.Length}.", nameof(views));
        int size = NetworkInput.Size;
        for (int v = 0; v < Views.Count; v++)
        {
            var view = Views[v];
            var target = views.Slice(v * size, size);
            var cropped = view.Mirrored ? _mirrorScratch.AsSpan() : target;
            RandomCrop.Copy(image, ImageShape, cropped, view.Top, view.Left, NetworkInput.Height, NetworkInput.Width);
            if (view.Mirrored)
                RandomFlip.Mirror(cropped, NetworkInput, target, FlipAxis.Horizontal);
        }
    }

    /// <summary>
    /// The class probabilities of <paramref name="count"/> images laid out one after another, each the mean
    /// over its views, written row by row into <paramref name="probabilities"/> (count x classes).
    /// </summary>
    public void PredictProbabilities(CnnModel model, ReadOnlySpan<float> images, int count, Span<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Spec.Input != NetworkInput)
            throw new ArgumentException($"The model takes {model.Spec.Input}; this augmenter cuts views of {NetworkInput}.", nameof(model));
        if (Mode == TestTimeAugmentation.None)
        {
            model.PredictProbabilities(images, count, probabilities);
            return;
        }
        if (images.Length != (long)count * ImageShape.Size)
            throw new ArgumentException($"{count} images of shape {ImageShape} need {(long)count * ImageShape.Size} values; got {images.Length}.", nameof(images));
        int classes = model.Spec.ClassCount, viewCount = Views.Count, viewSize = viewCount * NetworkInput.Size;
        EnsureCapacity(ref _views, count * viewSize);
        EnsureCapacity(ref _probabilities, count * viewCount * classes);
        for (int i = 0; i < count; i++)
            CutViews(images.Slice(i * ImageShape.Size, ImageShape.Size), _views.AsSpan(i * viewSize, viewSize));
        model.PredictProbabilities(_views.AsSpan(0, count * viewSize), count * viewCount, _probabilities.AsSpan(0, count * viewCount * classes));
        Average(_probabilities.AsSpan(0, count * viewCount * classes), viewCount, classes, probabilities);
    }

    /// <summary>Writes the mean over each image's consecutive <paramref name="viewCount"/> rows of view probabilities.</summary>
    internal static void Average(ReadOnlySpan<float> viewProbabilities, int viewCount, int classes, Span<float> probabilities)
    {
        int count = viewProbabilities.Length / (viewCount * classes);
        for (int i = 0; i < count; i++)
        {
            var mean = probabilities.Slice(i * classes, classes);
            mean.Clear();
            for (int v = 0; v < viewCount; v++)
            {
                var view = viewProbabilities.Slice((i * viewCount + v) * classes, classes);
                for (int k = 0; k < classes; k++)
                    mean[k] += view[k];
            }
            foreach (ref float value in mean)
                value /= viewCount;
        }
    }

    private static CropView[] TenCrops(ImageShape image, ImageShape crop)
    {
        int bottom = image.Height - crop.Height, right = image.Width - crop.Width;
        (int Top, int Left)[] corners = [(0, 0), (0, right), (bottom, 0), (bottom, right), (bottom / 2, right / 2)];
        return [.. corners.Select(c => new CropView(c.Top, c.Left, false)), .. corners.Select(c => new CropView(c.Top, c.Left, true))];
    }

    private static void EnsureCapacity(ref float[] buffer, int size)
    {
        if (buffer.Length < size)
            buffer = new float[size];
    }
}

/// <summary>One view of an image in test-time augmentation.</summary>
/// <param name="Top">Row of the view's top edge in the image.</param>
/// <param name="Left">Column of the view's left edge in the image.</param>
/// <param name="Mirrored">Whether the view is mirrored left to right.</param>
public readonly record struct CropView(int Top, int Left, bool Mirrored);
