using MLNetCnn.Data;
using MLNetCnn.Runtime;

namespace MLNetCnn.Augmentation;

/// <summary>
/// Random affine distortions about the image centre, as in LeCun et al.'s "distorted training data" and
/// torchvision's <c>RandomAffine</c>: a rotation uniform in ±<see cref="Degrees"/> (positive turns clockwise on
/// screen), a translation by a whole number of pixels up to <see cref="Translate"/> times the width and height,
/// a scale uniform in [<see cref="MinScale"/>, <see cref="MaxScale"/>] and a horizontal shear uniform in
/// ±<see cref="Shear"/> degrees. Resampled bilinearly; pixels from outside the image are zeros.
/// </summary>
public sealed class RandomAffine : ImageOperation
{
    /// <summary>Creates the operation.</summary>
    /// <param name="degrees">Largest rotation either way, in degrees.</param>
    /// <param name="translate">Largest shift either way, as a fraction of the width (horizontally) and height (vertically).</param>
    /// <param name="minScale">Smallest zoom factor.</param>
    /// <param name="maxScale">Largest zoom factor.</param>
    /// <param name="shear">Largest horizontal shear either way, in degrees.</param>
    public RandomAffine(double degrees = 0, double translate = 0, double minScale = 1, double maxScale = 1, double shear = 0)
    {
        CheckValue(degrees, 0, 180, "Degrees", nameof(RandomAffine));
        CheckValue(translate, 0, 1, "Translate", nameof(RandomAffine));
        CheckPositiveRange(minScale, maxScale, double.PositiveInfinity, "MinScale", "MaxScale", nameof(RandomAffine));
        CheckValue(shear, 0, 89, "Shear", nameof(RandomAffine));
        Degrees = degrees;
        Translate = translate;
        MinScale = minScale;
        MaxScale = maxScale;
        Shear = shear;
    }

    /// <summary>Largest rotation either way, in degrees.</summary>
    public double Degrees { get; }

    /// <summary>Largest shift either way, as a fraction of the width and height.</summary>
    public double Translate { get; }

    /// <summary>Smallest zoom factor.</summary>
    public double MinScale { get; }

    /// <summary>Largest zoom factor.</summary>
    public double MaxScale { get; }

    /// <summary>Largest horizontal shear either way, in degrees.</summary>
    public double Shear { get; }

    /// <inheritdoc/>
    public override bool IsRandom => true;

    /// <inheritdoc/>
    public override ImageShape OutputShape(ImageShape input) => input;

    /// <summary>
    /// The map from output to input pixel coordinates of the distortion that rotates by <paramref name="degrees"/>,
    /// shears by <paramref name="shear"/> degrees and scales by <paramref name="scale"/> about the centre of an
    /// image of <paramref name="shape"/>, then shifts by (<paramref name="shiftX"/>, <paramref name="shiftY"/>) pixels.
    /// </summary>
    internal static AffineMap InverseMap(ImageShape shape, double degrees, double shiftX, double shiftY, double scale, double shear)
    {
        double rotation = degrees * Math.PI / 180, shearing = shear * Math.PI / 180;
        double cos = Math.Cos(rotation), sin = Math.Sin(rotation), tan = Math.Tan(shearing);
        // Forward linear part: rotation times shear, [[a, b], [c, d]], of determinant 1; its inverse is [[d, -b], [-c, a]].
        double a = cos, b = -cos * tan - sin, c = sin, d = -sin * tan + cos;
        double xx = d / scale, xy = -b / scale, yx = -c / scale, yy = a / scale;
        double centreX = shape.Width / 2.0, centreY = shape.Height / 2.0;
        double fromX = -centreX - shiftX, fromY = -centreY - shiftY;
        return new AffineMap(xx, xy, xx * fromX + xy * fromY + centreX, yx, yy, yx * fromX + yy * fromY + centreY);
    }

    private protected override void ApplyCore(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, ImageShape output, ref AugmentationRandom random)
    {
        double degrees = random.Uniform(-Degrees, Degrees);
        double shiftX = Math.Round(random.Uniform(-Translate, Translate) * shape.Width);
        double shiftY = Math.Round(random.Uniform(-Translate, Translate) * shape.Height);
        double scale = random.Uniform(MinScale, MaxScale);
        double shear = random.Uniform(-Shear, Shear);
        Bilinear.Warp(source, shape, destination, InverseMap(shape, degrees, shiftX, shiftY, scale, shear));
    }

    internal static RandomAffine LoadParameters(BinaryReader reader) =>
        new(reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble(), reader.ReadDouble());

    private protected override void SaveParameters(BinaryWriter writer)
    {
        writer.Write(Degrees);
        writer.Write(Translate);
        writer.Write(MinScale);
        writer.Write(MaxScale);
        writer.Write(Shear);
    }
}
