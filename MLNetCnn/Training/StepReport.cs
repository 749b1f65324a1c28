namespace MLNetCnn.Training;

/// <summary>Where training stands after one optimisation step (one mini-batch).</summary>
/// <param name="Epoch">The current epoch, from 1.</param>
/// <param name="Step">The step just finished within the epoch, from 1.</param>
/// <param name="StepCount">The steps in this epoch.</param>
/// <param name="ImagesSeen">Training images processed so far in this epoch.</param>
/// <param name="Loss">Mean cross-entropy over the epoch's batches so far.</param>
/// <param name="Accuracy">Fraction of the epoch's images so far that were classified correctly.</param>
public sealed record StepReport(int Epoch, int Step, int StepCount, int ImagesSeen, double Loss, double Accuracy);
