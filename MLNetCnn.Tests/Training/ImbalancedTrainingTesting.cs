using MLNetCnn.Data;
using static TorchSharp.torch;

namespace MLNetCnn.Tests.Training;

/// <summary>Helpers of the imbalanced-class tests: imbalanced bar images and what a model predicts for them.</summary>
internal static class ImbalancedTrainingTesting
{
    /// <summary>Bars of 4 classes where class 0 has <paramref name="perClass"/> / <paramref name="ratio"/> images and the others <paramref
    /// name="perClass"/>.</summary>
    public static ImageDataset Imbalanced(int perClass, int ratio, int seed = 1)
    {
        var all = SyntheticImages.Bars(perClass * 4, seed: seed);
        int minority = 0;
        var keep = Enumerable.Range(0, all.Count).Where(i => all.Labels[i] != 0 || minority++ < perClass / ratio).ToArray();
        return all.Select(keep);
    }

    /// <summary>The class the model predicts for each image.</summary>
    public static long[] Predictions(CnnModel model, ImageDataset data)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var images = tensor(data.Pixels, [data.Count, data.Shape.Channels, data.Shape.Height, data.Shape.Width]);
        return model.Logits(images).argmax(1).cpu().data<long>().ToArray();
    }
}
