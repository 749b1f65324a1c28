using MLNetCnn.Data;
using MLNetCnn.Runtime;

namespace MLNetCnn.Augmentation;

/// <summary>
/// One operation on a CHW image of floats: a random augmentation (crop, flip, affine distortion, colour noise,
/// erasing) or a deterministic one (normalisation). Operations hold only their parameters, so one instance
/// serves any number of threads; each call gets its own random stream and buffers.
/// </summary>
public abstract class ImageOperation
{
    private protected ImageOperation()
    {
    }

    /// <summary>Whether the result depends on the random draws, so every pass over the data differs.</summary>
    public abstract bool IsRandom { get; }

    /// <summary>
    /// Whether results are still pixel values on the input's scale, so that an 8-bit image can hold them;
    /// normalised values are not.
    /// </summary>
    public virtual bool ProducesPixels => true;

    /// <summary>The shape of the result for inputs of shape <paramref name="input"/>; throws when such inputs do not fit the
    /// parameters.</summary>
    public abstract ImageShape OutputShape(ImageShape input);

    /// <summary>
    /// Writes the result for <paramref name="source"/> (shape <paramref name="shape"/>) into
    /// <paramref name="destination"/> (<see cref="OutputShape"/>'s size). The two must not overlap.
    /// </summary>
    public void Apply(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, ref AugmentationRandom random)
    {
        if (source.Length != shape.Size)
            throw new ArgumentException($"An image of shape {shape} has {shape.Size} values; the source holds {source.Length}.", nameof(source));
        var output = OutputShape(shape);
        if (destination.Length != output.Size)
            throw new ArgumentException($"The result of shape {output} has {output.Size} values; the destination holds {destination.Length}.", nameof(destination));
        ApplyCore(source, shape, destination, output, ref random);
    }

    /// <summary>Writes the operation's kind and parameters.</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(GetType().Name);
        SaveParameters(writer);
    }

    /// <summary>Reads an operation written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The kind is unknown or the parameters are invalid.</exception>
    public static ImageOperation Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string kind = reader.ReadString();
        try
        {
            return kind switch
            {
                nameof(RandomCrop) => RandomCrop.LoadParameters(reader),
                nameof(RandomFlip) => RandomFlip.LoadParameters(reader),
                nameof(RandomResizedCrop) => RandomResizedCrop.LoadParameters(reader),
                nameof(RandomAffine) => RandomAffine.LoadParameters(reader),
                nameof(ColorJitter) => ColorJitter.LoadParameters(reader),
                nameof(PcaLighting) => PcaLighting.LoadParameters(reader),
                nameof(RandomErasing) => RandomErasing.LoadParameters(reader),
                nameof(ChannelNormalization) => ChannelNormalization.LoadParameters(reader),
                _ => throw new InvalidDataException($"Unknown image operation '{kind}'."),
            };
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The saved {kind} has invalid parameters: {e.Message}", e);
        }
    }

    private protected abstract void ApplyCore(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, ImageShape output, ref AugmentationRandom random);

    private protected abstract void SaveParameters(BinaryWriter writer);

    private protected static void CheckValue(double value, double lowest, double highest, string name, string operation)
    {
        if (!double.IsFinite(value) || value < lowest || value > highest)
        {
            string allowed = double.IsPositiveInfinity(highest) ? $"finite and at least {lowest}" : $"between {lowest} and {highest}";
            throw new ArgumentOutOfRangeException(name, value, $"{operation}: {name} must be {allowed}.");
        }
    }

    private protected static void CheckPositiveRange(double min, double max, double highest, string minName, string maxName, string operation)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min <= 0 || min > max || max > highest)
        {
            string bound = double.IsPositiveInfinity(highest) ? "" : $" <= {highest}";
            throw new ArgumentOutOfRangeException(minName, $"{operation}: {minName} and {maxName} must satisfy 0 < {minName} <= {maxName}{bound}; got {min} and {max}.");
        }
    }
}
