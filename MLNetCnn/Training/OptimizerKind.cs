namespace MLNetCnn.Training;

/// <summary>The optimizer that updates the weights.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba, 2015).</summary>
    Adam,

    /// <summary>Stochastic gradient descent with (heavy-ball) momentum.</summary>
    Sgd,
}
