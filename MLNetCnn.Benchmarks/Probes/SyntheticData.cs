using MLNetCnn.Data;

namespace MLNetCnn.Benchmarks.Probes;

/// <summary>Random 0..255 pixels and random labels: speed does not depend on what the images show.</summary>
internal static class SyntheticData
{
    public static ImageDataset Create(ImageShape shape, int count, int classes, int seed)
    {
        var random = new Random(seed);
        var pixels = new float[(long)count * shape.Size];
        for (long i = 0; i < pixels.LongLength; i++)
            pixels[i] = random.Next(256);
        var labels = new int[count];
        for (int i = 0; i < count; i++)
            labels[i] = i % classes;
        random.Shuffle(labels);
        return new ImageDataset(shape, pixels, labels, classes);
    }
}
