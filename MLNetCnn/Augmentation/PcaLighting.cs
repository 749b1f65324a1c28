using MLNetCnn.Data;
using MLNetCnn.Runtime;
using static TorchSharp.torch;

namespace MLNetCnn.Augmentation;

/// <summary>
/// AlexNet's lighting noise (Krizhevsky, Sutskever and Hinton, 2012): adds to every pixel of an RGB image the
/// same colour offset <c>sum_k alpha_k * scale_k * component_k</c>, with <c>alpha_k</c> normal with mean 0 and
/// standard deviation <see cref="StandardDeviation"/>, along the principal components of the training pixels'
/// colours. Each component is scaled by the spread of the pixels along it (the square root of its eigenvalue), so
/// the noise follows the pixels' scale, whether 0..1 or 0..255.
/// </summary>
public sealed class PcaLighting : ImageOperation
{
    private readonly float[] _scales;
    private readonly float[] _components;

    /// <summary>Creates the operation.</summary>
    /// <param name="standardDeviation">Spread of the random weight of each component (AlexNet: 0.1).</param>
    /// <param name="componentScales">The pixels' standard deviation along each of the three components.</param>
    /// <param name="components">The three unit components, one after another, each as (R, G, B).</param>
    public PcaLighting(double standardDeviation, IReadOnlyList<float> componentScales, IReadOnlyList<float> components)
    {
        CheckValue(standardDeviation, 0, double.PositiveInfinity, "StandardDeviation", nameof(PcaLighting));
        ArgumentNullException.ThrowIfNull(componentScales);
        ArgumentNullException.ThrowIfNull(components);
        if (componentScales.Count != 3 || componentScales.Any(s => !float.IsFinite(s) || s < 0))
            throw new ArgumentException($"PcaLighting: ComponentScales needs 3 finite non-negative values; got [{string.Join(", ", componentScales)}].", nameof(componentScales));
        if (components.Count != 9 || components.Any(v => !float.IsFinite(v)))
            throw new ArgumentException($"PcaLighting: Components needs 9 finite values (three RGB vectors); got {components.Count}.", nameof(components));
        StandardDeviation = standardDeviation;
        _scales = [.. componentScales];
        _components = [.. components];
    }

    /// <summary>Spread of the random weight of each component.</summary>
    public double StandardDeviation { get; }

    /// <summary>The pixels' standard deviation along each component.</summary>
    public IReadOnlyList<float> ComponentScales => _scales;

    /// <summary>The three components, one after another, each as (R, G, B).</summary>
    public IReadOnlyList<float> Components => _components;

    /// <inheritdoc/>
    public override bool IsRandom => true;

    /// <summary>
    /// The lighting noise along the principal components of the colours in <paramref name="statistics"/>
    /// (three channels), largest first.
    /// </summary>
    public static PcaLighting FromStatistics(PixelStatistics statistics, double standardDeviation)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        if (statistics.Channels != 3)
            throw new ArgumentException($"PcaLighting works on RGB images; the data has {statistics.Channels} channel(s).", nameof(statistics));
        var covariance = statistics.Covariance();
        using var scope = NewDisposeScope();
        var (eigenvalues, eigenvectors) = linalg.eigh(tensor(covariance, float64));
        var values = eigenvalues.data<double>().ToArray();
        var vectors = eigenvectors.data<double>().ToArray();
        var scales = new float[3];
        var components = new float[9];
        for (int k = 0; k < 3; k++)
        {
            int column = 2 - k;
            scales[k] = (float)Math.Sqrt(Math.Max(0, values[column]));
            for (int c = 0; c < 3; c++)
                components[3 * k + c] = (float)vectors[3 * c + column];
        }
        return new PcaLighting(standardDeviation, scales, components);
    }

    /// <inheritdoc/>
    public override ImageShape OutputShape(ImageShape input) =>
        input.Channels == 3 ? input : throw new ArgumentException($"PcaLighting works on RGB images; these have shape {input}.");

    private protected override void ApplyCore(ReadOnlySpan<float> source, ImageShape shape, Span<float> destination, ImageShape output, ref AugmentationRandom random)
    {
        Span<float> weights = stackalloc float[3];
        for (int k = 0; k < 3; k++)
            weights[k] = (float)(random.Gaussian() * StandardDeviation) * _scales[k];
        int plane = shape.Height * shape.Width;
        for (int c = 0; c < 3; c++)
        {
            float offset = weights[0] * _components[c] + weights[1] * _components[3 + c] + weights[2] * _components[6 + c];
            var from = source.Slice(c * plane, plane);
            var to = destination.Slice(c * plane, plane);
            for (int i = 0; i < plane; i++)
                to[i] = from[i] + offset;
        }
    }

    internal static PcaLighting LoadParameters(BinaryReader reader)
    {
        double standardDeviation = reader.ReadDouble();
        var scales = new float[3];
        var components = new float[9];
        for (int i = 0; i < scales.Length; i++)
            scales[i] = reader.ReadSingle();
        for (int i = 0; i < components.Length; i++)
            components[i] = reader.ReadSingle();
        return new PcaLighting(standardDeviation, scales, components);
    }

    private protected override void SaveParameters(BinaryWriter writer)
    {
        writer.Write(StandardDeviation);
        foreach (float value in _scales.Concat(_components))
            writer.Write(value);
    }
}
