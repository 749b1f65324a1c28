namespace MLNetCnn.Augmentation;

/// <summary>Which way an image is mirrored.</summary>
public enum FlipAxis
{
    /// <summary>Left and right swap (a mirror image).</summary>
    Horizontal,

    /// <summary>Top and bottom swap.</summary>
    Vertical,
}
