using static TorchSharp.torch;

namespace MLNetCnn.Architectures;

/// <summary>
/// A network with extra training-only outputs, such as GoogLeNet's auxiliary classifiers, whose losses are
/// added to the main loss. The trainer asks for it right after each training-mode forward pass.
/// </summary>
public interface IAuxiliaryLoss
{
    /// <summary>
    /// The weighted sum of the auxiliary losses of the last training-mode forward pass, computed with
    /// <paramref name="criterion"/> (the trainer's loss of logits against targets), or null when there were none.
    /// </summary>
    Tensor? AuxiliaryLoss(Tensor target, Func<Tensor, Tensor, Tensor> criterion);
}
