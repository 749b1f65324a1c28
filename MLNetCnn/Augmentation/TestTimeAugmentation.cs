namespace MLNetCnn.Augmentation;

/// <summary>Which views of an image are scored and averaged when a trained classifier predicts.</summary>
public enum TestTimeAugmentation
{
    /// <summary>The image as it is.</summary>
    None,

    /// <summary>The image and its mirror image.</summary>
    HorizontalFlip,

    /// <summary>
    /// AlexNet's ten crops of the network's input size: the four corners and the centre, and their mirror
    /// images. The scored images may be larger than the network input (for example a model trained on random
    /// 28x28 crops, scored on 32x32 images).
    /// </summary>
    TenCrop,
}
