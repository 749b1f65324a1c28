namespace MLNetCnn.Architectures;

/// <summary>The output sizes of convolutions and poolings, as libtorch computes them, for sizing layers ahead of a forward pass.</summary>
internal static class ConvArithmetic
{
    /// <summary>
    /// The output side of a convolution or pooling window over <paramref name="input"/> pixels; zero or less
    /// when the window does not fit.
    /// </summary>
    public static int OutputSide(int input, int kernel, int stride = 1, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        int span = input + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        if (span < 0)
            return 0;
        int output = span / stride + 1;
        // libtorch drops a last ceil-mode window that would start in the right padding.
        if (ceilMode && (output - 1) * stride >= input + padding)
            output--;
        return output;
    }

    /// <summary>The smallest side length for which <paramref name="fits"/> holds (it must hold for every larger side too).</summary>
    public static int MinimumSide(Func<int, bool> fits)
    {
        for (int side = 1; side <= MaxSide; side++)
        {
            if (fits(side))
                return side;
        }
        throw new InvalidOperationException($"No input side up to {MaxSide} pixels fits.");
    }

    private const int MaxSide = 1 << 12;
}
