namespace MLNetCnn.Training;

/// <summary>The training loss became NaN or infinite; the weights are those from before the failing step.</summary>
public sealed class TrainingDivergedException : Exception
{
    /// <summary>Creates the exception for a non-finite loss at an epoch and step.</summary>
    public TrainingDivergedException(int epoch, int step, double learningRate, double loss)
        : base($"The training loss became {loss} in epoch {epoch}, step {step}, at learning rate {learningRate:G3}. " +
               "Lower the learning rate (the lr-find command suggests one), add a warm-up, or clip gradients (GradientClipNorm).")
    {
        Epoch = epoch;
        Step = step;
        LearningRate = learningRate;
    }

    /// <summary>The epoch of the failing step, from 1.</summary>
    public int Epoch { get; }

    /// <summary>The failing step within its epoch, from 1.</summary>
    public int Step { get; }

    /// <summary>The learning rate of the failing step.</summary>
    public double LearningRate { get; }
}
