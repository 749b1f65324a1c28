using System.Diagnostics;
using MLNetCnn.Training;
using Spectre.Console;

namespace MLNetCnn.Cli.Progress;

/// <summary>
/// Shows training as it goes: progress bars for epochs and batches (loss, accuracy, images/s, time left) on a
/// terminal; otherwise one line per epoch, and a batch line every few seconds so a log never falls silent.
/// </summary>
internal abstract class TrainingProgress
{
    /// <summary>Runs <paramref name="train"/> with the display that suits <paramref name="console"/>.</summary>
    public static T Run<T>(CliConsole console, int epochs, Func<TrainingProgress, T> train)
    {
        if (!console.IsInteractive)
            return train(new PlainProgress(console.Output, TimeSpan.FromSeconds(10)));
        T result = default!;
        console.Ansi.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context => result = train(new BarProgress(context, epochs)));
        return result;
    }

    /// <summary>Called after every mini-batch.</summary>
    public abstract void Step(StepReport step);

    /// <summary>Called after every epoch.</summary>
    public abstract void Epoch(EpochReport epoch);

    /// <summary>Images per second since the epoch's first step.</summary>
    private protected sealed class Throughput
    {
        private readonly Stopwatch _clock = new();

        public double Update(StepReport step)
        {
            if (step.Step == 1)
                _clock.Restart();
            return step.ImagesSeen / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        }
    }

    private sealed class BarProgress(ProgressContext context, int epochs) : TrainingProgress
    {
        private readonly ProgressTask _epochs = context.AddTask("Epochs", maxValue: epochs);
        private readonly ProgressTask _batches = context.AddTask("Batches");
        private readonly Throughput _throughput = new();

        public override void Step(StepReport step)
        {
            double imagesPerSecond = _throughput.Update(step);
            if (step.Step == 1)
            {
                _batches.MaxValue = step.StepCount;
                _batches.Value = 0;
                _batches.StartTask();
            }
            _batches.Value = step.Step;
            _batches.Description = Markup.Escape($"Epoch {step.Epoch}/{epochs}: loss {step.Loss:F4}, accuracy {step.Accuracy:P1}, {imagesPerSecond:F0} images/s");
        }

        public override void Epoch(EpochReport epoch)
        {
            _epochs.Increment(1);
            string validation = epoch.ValidationAccuracy is { } accuracy ? $", validation accuracy {accuracy:P1}" : "";
            _epochs.Description = Markup.Escape($"Epochs: last loss {epoch.TrainLoss:F4}, accuracy {epoch.TrainAccuracy:P1}{validation}");
        }
    }

    private sealed class PlainProgress(TextWriter output, TimeSpan interval) : TrainingProgress
    {
        private readonly Stopwatch _sinceLine = Stopwatch.StartNew();
        private readonly Throughput _throughput = new();

        public override void Step(StepReport step)
        {
            double imagesPerSecond = _throughput.Update(step);
            if (_sinceLine.Elapsed < interval || step.Step == step.StepCount)
                return;
            _sinceLine.Restart();
            var left = TimeSpan.FromSeconds((step.StepCount - step.Step) * (double)step.ImagesSeen / step.Step / Math.Max(imagesPerSecond, 1e-9));
            output.WriteLine($"Epoch {step.Epoch}, batch {step.Step}/{step.StepCount}: loss {step.Loss:F4}, accuracy {step.Accuracy:P2}, " +
                $"{imagesPerSecond:F0} images/s, {left:hh\\:mm\\:ss} left in the epoch");
        }

        public override void Epoch(EpochReport epoch)
        {
            output.WriteLine(epoch.ToString());
            _sinceLine.Restart();
        }
    }
}
