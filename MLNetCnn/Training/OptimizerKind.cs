namespace MLNetCnn.Training;

/// <summary>The optimizer that updates the weights (TorchSharp's implementations, which follow PyTorch's).</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba, 2015); weight decay is added to the gradient (an L2 penalty).</summary>
    Adam,

    /// <summary>Stochastic gradient descent with (heavy-ball or Nesterov) momentum; weight decay is an L2 penalty.</summary>
    Sgd,

    /// <summary>AdamW (Loshchilov and Hutter, 2019): Adam with weight decay applied to the weights directly (decoupled).</summary>
    AdamW,
}
