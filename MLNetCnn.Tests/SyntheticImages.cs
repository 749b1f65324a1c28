using MLNetCnn.Data;

namespace MLNetCnn.Tests;

/// <summary>Small, quickly learnable image sets made on the fly, so tests need no files.</summary>
internal static class SyntheticImages
{
    /// <summary>
    /// Grey images of <paramref name="classCount"/> classes: class k is a bright bar at a class-specific
    /// place (horizontal bars for even k, vertical for odd k) over uniform noise.
    /// </summary>
    public static ImageDataset Bars(int count, int classCount = 4, int size = 12, int channels = 1, int seed = 1)
    {
        var random = new Random(seed);
        var shape = new ImageShape(channels, size, size);
        var pixels = new float[count * shape.Size];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % classCount;
            labels[i] = label;
            var image = pixels.AsSpan(i * shape.Size, shape.Size);
            for (int p = 0; p < image.Length; p++)
                image[p] = (float)(random.NextDouble() * 80);
            int line = 2 + (label / 2) * 3 % (size - 4);
            for (int c = 0; c < channels; c++)
            {
                for (int t = 0; t < size; t++)
                {
                    int y = label % 2 == 0 ? line : t;
                    int x = label % 2 == 0 ? t : line;
                    image[c * size * size + y * size + x] = 255;
                }
            }
        }
        return new ImageDataset(shape, pixels, labels, classCount);
    }

    /// <summary>An image whose value at flat CHW index i is i + 1, so every value tells where it came from (and 0 means padding).</summary>
    public static float[] Indexed(ImageShape shape) => [.. Enumerable.Range(1, shape.Size).Select(i => (float)i)];

    /// <summary>Runs an operation on one image with the random stream of row <paramref name="row"/>.</summary>
    public static float[] Apply(MLNetCnn.Augmentation.ImageOperation operation, float[] image, ImageShape shape, long row, int seed = 1)
    {
        var result = new float[operation.OutputShape(shape).Size];
        var random = MLNetCnn.Runtime.AugmentationRandom.ForRow(seed, 0, row);
        operation.Apply(image, shape, result, ref random);
        return result;
    }

    /// <summary>
    /// Grey images of four left-right symmetric shapes (a filled square, a plus, a ring, two bars) over noise, all on
    /// the left of the image; <paramref name="mirrored"/> puts them on the right instead, so a model that learned
    /// where the shapes were in training only recognises them there if it also saw mirror images.
    /// </summary>
    public static ImageDataset ShapesOnOneSide(int count, bool mirrored, int size = 16, int seed = 1) =>
        Shapes(count, size, seed, random => (random.Next(1, size - 6), random.Next(0, 3)), mirrored);

    /// <summary>
    /// The four shapes of <see cref="ShapesOnOneSide"/> over noise, always inside the top-left quadrant of the image: only that
    /// quadrant tells the classes apart.
    /// </summary>
    public static ImageDataset ShapesInTopLeftQuadrant(int count, int size = 16, int seed = 1) =>
        Shapes(count, size, seed, random => (random.Next(0, size / 2 - 4), random.Next(0, size / 2 - 4)), mirrored: false);

    private static ImageDataset Shapes(int count, int size, int seed, Func<Random, (int Top, int Left)> place, bool mirrored)
    {
        string[][] shapes =
        [
            ["#####", "#####", "#####", "#####", "#####"],
            ["..#..", "..#..", "#####", "..#..", "..#.."],
            ["#####", "#...#", "#...#", "#...#", "#####"],
            ["#####", ".....", ".....", ".....", "#####"],
        ];
        var random = new Random(seed);
        var shape = new ImageShape(1, size, size);
        var pixels = new float[count * shape.Size];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % shapes.Length;
            labels[i] = label;
            var image = pixels.AsSpan(i * shape.Size, shape.Size);
            for (int p = 0; p < image.Length; p++)
                image[p] = (float)(random.NextDouble() * 60);
            var (top, left) = place(random);
            for (int y = 0; y < 5; y++)
            {
                for (int x = 0; x < 5; x++)
                {
                    if (shapes[label][y][x] != '#')
                        continue;
                    int column = left + x;
                    image[(top + y) * size + (mirrored ? size - 1 - column : column)] = 255;
                }
            }
        }
        return new ImageDataset(shape, pixels, labels, shapes.Length);
    }
}
