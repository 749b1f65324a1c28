using MLNetCnn.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNetCnn.Training;

/// <summary>A batch blended with a shuffled copy of itself, and how much of it is the original.</summary>
/// <param name="Input">The mixed images.</param>
/// <param name="PartnerTarget">The labels of the images mixed in, row by row.</param>
/// <param name="Lambda">The share of the original images, which the loss gives their own labels.</param>
internal readonly record struct MixedBatch(Tensor Input, Tensor PartnerTarget, double Lambda);

/// <summary>
/// MixUp (Zhang et al., 2018) and CutMix (Yun et al., 2019) at the batch level, as timm's <c>Mixup</c> does them: the batch
/// is paired with a random permutation of itself and a share drawn from Beta(alpha, alpha); MixUp blends whole images,
/// CutMix pastes a rectangle of the partner with the rest of the share's area. With both on, each batch uses one of
/// them, with equal chances. Draws come from libtorch's generator, so seeds and checkpoints repeat them.
/// </summary>
internal sealed class BatchMixing
{
    private readonly double _mixUpAlpha;
    private readonly double _cutMixAlpha;

    private BatchMixing(double mixUpAlpha, double cutMixAlpha) => (_mixUpAlpha, _cutMixAlpha) = (mixUpAlpha, cutMixAlpha);

    /// <summary>The mixing the options ask for, or null.</summary>
    public static BatchMixing? For(TrainingOptions options) =>
        options.MixUpAlpha > 0 || options.CutMixAlpha > 0 ? new BatchMixing(options.MixUpAlpha, options.CutMixAlpha) : null;

    /// <summary>Mixes a batch (N x C x H x W) with labels (N) in the current dispose scope.</summary>
    public MixedBatch Mix(Tensor input, Tensor target)
    {
        bool cut = _cutMixAlpha > 0 && (_mixUpAlpha == 0 || rand(1).item<float>() < 0.5f);
        double lambda = DrawShare(cut ? _cutMixAlpha : _mixUpAlpha);
        var partner = randperm(input.shape[0], device: input.device);
        var partnerImages = input.index_select(0, partner);
        var partnerTarget = target.index_select(0, partner);
        if (!cut)
            return new MixedBatch(Blend(input, partnerImages, lambda), partnerTarget, lambda);

        long height = input.shape[2], width = input.shape[3];
        double side = Math.Sqrt(1 - lambda);
        long cutHeight = (long)(height * side), cutWidth = (long)(width * side);
        long centreY = randint(height, [1]).item<long>(), centreX = randint(width, [1]).item<long>();
        long top = Math.Clamp(centreY - cutHeight / 2, 0, height), bottom = Math.Clamp(centreY + cutHeight / 2, 0, height);
        long left = Math.Clamp(centreX - cutWidth / 2, 0, width), right = Math.Clamp(centreX + cutWidth / 2, 0, width);
        var mixed = input.clone();
        var box = new[] { TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(top, bottom), TensorIndex.Slice(left, right) };
        mixed[box] = partnerImages[box];
        // The box may be clipped at the border: the labels follow the area actually pasted.
        double pasted = (double)((bottom - top) * (right - left)) / (height * width);
        return new MixedBatch(mixed, partnerTarget, 1 - pasted);
    }

    /// <summary>
    /// <paramref name="own"/> x <paramref name="ownShare"/> + <paramref name="partner"/> x (1 - <paramref name="ownShare"/>): MixUp's
    /// images, and the loss of a mixed batch.
    /// </summary>
    public static Tensor Blend(Tensor own, Tensor partner, double ownShare)
    {
        using var share = ownShare.ToScalar();
        using var partnerShare = (1 - ownShare).ToScalar();
        return own.mul(share).add(partner.mul(partnerShare), Scalars.One);
    }

    private static double DrawShare(double alpha)
    {
        using var concentration = tensor(alpha);
        var beta = distributions.Beta(concentration, concentration);
        return beta.sample().item<double>();
    }
}
