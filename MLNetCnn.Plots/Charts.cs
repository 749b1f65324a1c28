using MLNetCnn.Training;
using MLNetCnn.Visualization;
using ScottPlot;
using ScottPlot.TickGenerators;
using SkiaSharp;

namespace MLNetCnn.Plots;

/// <summary>
/// Charts of training and evaluation, drawn with ScottPlot as <see cref="RgbImage"/>s: save them with
/// <see cref="RgbImage.SavePng"/>, or <c>display</c> them in a Polyglot notebook.
/// </summary>
public static class Charts
{
    private const int MaxLabelledClasses = 20;
    private static readonly Color TrainColour = new(31, 119, 180);
    private static readonly Color ValidationColour = new(255, 127, 14);
    private static readonly Color CountColour = new(8, 69, 148);

    /// <summary>Loss and accuracy per epoch, training and (when there is one) validation, as two panels side by side.</summary>
    /// <param name="history">The epochs, as <c>OnEpochEnd</c> reports them or a fitted model's <c>TrainingHistory</c> holds them.</param>
    /// <exception cref="ArgumentException">The history is empty.</exception>
    public static RgbImage LearningCurves(IReadOnlyList<EpochReport> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
            throw new ArgumentException("Learning curves need at least one epoch; the history is empty.", nameof(history));
        using var loss = LineChart("Loss (cross-entropy)", history, e => e.TrainLoss, e => e.ValidationLoss, "F2");
        using var accuracy = LineChart("Accuracy", history, e => e.TrainAccuracy, e => e.ValidationAccuracy, "P0");
        return Render(panelWidth: 560, height: 420, loss, accuracy);
    }

    /// <summary>A confusion matrix as a heat map: true classes down, predicted classes across, each cell with its count.</summary>
    /// <param name="classNames">The classes in key order, for example a fitted model's <c>ClassNames</c>.</param>
    /// <param name="counts">Row = true class, column = predicted class, as ML.NET's <c>ConfusionMatrix.Counts</c>.</param>
    /// <exception cref="ArgumentException">The counts are not a square table with a row per class.</exception>
    public static RgbImage ConfusionMatrix(IReadOnlyList<string> classNames, IReadOnlyList<IReadOnlyList<double>> counts)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(counts);
        int n = classNames.Count;
        if (n == 0 || counts.Count != n || counts.Any(row => row.Count != n))
        {
            throw new ArgumentException(
                $"A confusion matrix of {n} classes needs {n} rows of {n} counts; got {counts.Count} rows of [{string.Join(", ", counts.Select(r => r.Count).Distinct())}].",
                nameof(counts));
        }
        using var plot = NewPlot("Confusion matrix (counts)");
        var data = new double[n, n];
        for (int actual = 0; actual < n; actual++)
        {
            for (int predicted = 0; predicted < n; predicted++)
                data[actual, predicted] = counts[actual][predicted];
        }
        // The heat map draws its first row at the top and centres cell (row, column) on (column, n - 1 - row).
        var heatmap = plot.Add.Heatmap(data);
        heatmap.Colormap = new WhiteToColour(CountColour);
        double max = data.Cast<double>().Max();
        if (n <= MaxLabelledClasses)
            LabelCells(plot, data, max);
        plot.Add.ColorBar(heatmap);

        double[] positions = [.. Enumerable.Range(0, n).Select(i => (double)i)];
        plot.Axes.Bottom.TickGenerator = new NumericManual(positions, [.. classNames]);
        plot.Axes.Left.TickGenerator = new NumericManual([.. positions.Select(p => n - 1 - p)], [.. classNames]);
        if (n > 5)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = -45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperRight;
            float longest = SkiaRaster.TextWidth(classNames, plot.Axes.Bottom.TickLabelStyle.FontSize);
            plot.Axes.Bottom.MinimumSize = longest * MathF.Sqrt(0.5f) + 40;
        }
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.XLabel("Predicted class");
        plot.YLabel("True class");
        plot.HideGrid();
        int side = Math.Clamp(160 + 48 * n, 480, 2400);
        return Render(panelWidth: side + 120, height: side, plot);
    }

    /// <summary>
    /// Each trial's accuracy against its training time, one colour per architecture, with the spread over
    /// cross-validation folds as error bars.
    /// </summary>
    /// <param name="trials">The completed trials.</param>
    public static RgbImage AccuracyVersusTrainingTime(IReadOnlyList<TrialPoint> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        using var plot = NewPlot("Micro accuracy against training time");
        var palette = new ScottPlot.Palettes.Category10();
        int index = 0;
        foreach (var architecture in trials.GroupBy(t => t.Architecture))
        {
            var colour = palette.GetColor(index++);
            double[] seconds = [.. architecture.Select(t => t.TrainingSeconds)];
            double[] accuracy = [.. architecture.Select(t => t.Accuracy)];
            var spread = plot.Add.ErrorBar(seconds, accuracy, [.. architecture.Select(t => t.AccuracyStd)]);
            spread.Color = colour;
            var points = plot.Add.ScatterPoints(seconds, accuracy, colour);
            points.MarkerSize = 9;
            points.LegendText = architecture.Key;
        }
        double longest = trials.Select(t => t.TrainingSeconds).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimits(0, Math.Max(longest, 1e-3) * 1.08, -0.02, 1.02);
        plot.Axes.Left.TickGenerator = new NumericFixedInterval(0.2) { LabelFormatter = v => v.ToString("P0") };
        plot.XLabel("Training time (s)");
        plot.YLabel("Micro accuracy");
        plot.Grid.MajorLinePattern = LinePattern.Dotted;
        if (trials.Count > 0)
            plot.ShowLegend(Edge.Right);
        return Render(panelWidth: 840, height: 480, plot);
    }

    private static Plot LineChart(string title, IReadOnlyList<EpochReport> history, Func<EpochReport, double> train,
        Func<EpochReport, double?> validation, string format)
    {
        var plot = NewPlot(title);
        Line(plot, "training", TrainColour, [.. history.Select(e => ((double)e.Epoch, train(e)))]);
        var validated = history.Where(e => validation(e) is not null).ToList();
        if (validated.Count > 0)
            Line(plot, "validation", ValidationColour, [.. validated.Select(e => ((double)e.Epoch, validation(e)!.Value))]);
        plot.Axes.AutoScaleY();
        plot.Axes.SetLimitsX(0.5, history.Count + 0.5);
        plot.Axes.Bottom.TickGenerator = new NumericFixedInterval(Math.Max(1, history.Count / 10));
        plot.Axes.Left.TickGenerator = new NumericAutomatic { LabelFormatter = v => v.ToString(format) };
        plot.XLabel("Epoch");
        plot.Grid.MajorLinePattern = LinePattern.Dotted;
        plot.ShowLegend(Alignment.UpperRight);
        return plot;
    }

    private static void Line(Plot plot, string title, Color colour, (double X, double Y)[] points)
    {
        var line = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), colour);
        line.LegendText = title;
        line.LineWidth = 2;
        line.MarkerSize = 6;
    }

    private static void LabelCells(Plot plot, double[,] data, double max)
    {
        int n = data.GetLength(0);
        for (int row = 0; row < n; row++)
        {
            for (int column = 0; column < n; column++)
            {
                var label = plot.Add.Text(data[row, column].ToString("0"), column, n - 1 - row);
                label.Alignment = Alignment.MiddleCenter;
                label.LabelFontSize = 13;
                label.LabelFontColor = max > 0 && data[row, column] / max > 0.5 ? Colors.White : Colors.Black;
            }
        }
    }

    private static Plot NewPlot(string title)
    {
        var plot = new Plot();
        plot.Font.Set(SkiaRaster.FontFamily);
        plot.Title(title, 15);
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        return plot;
    }

    private static RgbImage Render(int panelWidth, int height, params Plot[] panels) =>
        SkiaRaster.Draw(panelWidth * panels.Length, height, canvas =>
        {
            for (int i = 0; i < panels.Length; i++)
            {
                // A plot clears its canvas before drawing; the clip keeps that to its own panel.
                canvas.Save();
                canvas.ClipRect(new SKRect(i * panelWidth, 0, (i + 1) * panelWidth, height));
                panels[i].Render(canvas, new PixelRect(i * panelWidth, (i + 1) * panelWidth, height, 0));
                canvas.Restore();
            }
        });

    /// <summary>Counts from white (none) to one colour (the most), like a single-hue colour map.</summary>
    private sealed class WhiteToColour(Color colour) : IColormap
    {
        public string Name => "white to " + colour.ToHex();

        public Color GetColor(double position)
        {
            double t = Math.Clamp(double.IsNaN(position) ? 0 : position, 0, 1);
            static byte Mix(byte to, double t) => (byte)Math.Round(255 + (to - 255) * t);
            return new Color(Mix(colour.R, t), Mix(colour.G, t), Mix(colour.B, t));
        }
    }
}

/// <summary>One trial of a model comparison, as <see cref="Charts.AccuracyVersusTrainingTime"/> plots it.</summary>
/// <param name="Architecture">The architecture, which picks the colour.</param>
/// <param name="TrainingSeconds">Training time.</param>
/// <param name="Accuracy">Micro accuracy (mean over folds).</param>
/// <param name="AccuracyStd">Standard deviation over folds; 0 for a single hold-out.</param>
public readonly record struct TrialPoint(string Architecture, double TrainingSeconds, double Accuracy, double AccuracyStd);
