using MLNetCnn.Training;
using MLNetCnn.Visualization;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using OxyPlot.SkiaSharp;

namespace MLNetCnn.Plots;

/// <summary>
/// Charts of training and evaluation, drawn with OxyPlot as <see cref="RgbImage"/>s: save them with
/// <see cref="RgbImage.SavePng"/>, or <c>display</c> them in a Polyglot notebook.
/// </summary>
public static class Charts
{
    private const int MaxLabelledClasses = 20;
    private static readonly OxyColor TrainColour = OxyColor.FromRgb(31, 119, 180);
    private static readonly OxyColor ValidationColour = OxyColor.FromRgb(255, 127, 14);

    /// <summary>Loss and accuracy per epoch, training and (when there is one) validation, as two panels side by side.</summary>
    /// <param name="history">The epochs, as <c>OnEpochEnd</c> reports them or a fitted model's <c>TrainingHistory</c> holds them.</param>
    /// <exception cref="ArgumentException">The history is empty.</exception>
    public static RgbImage LearningCurves(IReadOnlyList<EpochReport> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
            throw new ArgumentException("Learning curves need at least one epoch; the history is empty.", nameof(history));
        var loss = LineChart("Loss (cross-entropy)", history, e => e.TrainLoss, e => e.ValidationLoss, "F2");
        var accuracy = LineChart("Accuracy", history, e => e.TrainAccuracy, e => e.ValidationAccuracy, "P0");
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
        var model = NewModel("Confusion matrix (counts)");
        model.Axes.Add(new CategoryAxis
        {
            Position = AxisPosition.Bottom, Title = "Predicted class", ItemsSource = classNames, Angle = n > 5 ? -45 : 0, GapWidth = 0,
        });
        model.Axes.Add(new CategoryAxis
        {
            Position = AxisPosition.Left, Title = "True class", ItemsSource = classNames, StartPosition = 1, EndPosition = 0, GapWidth = 0,
        });
        model.Axes.Add(new LinearColorAxis
        {
            Position = AxisPosition.Right, Palette = OxyPalette.Interpolate(256, OxyColors.White, OxyColor.FromRgb(8, 69, 148)), Minimum = 0,
        });
        var data = new double[n, n];
        for (int actual = 0; actual < n; actual++)
        {
            for (int predicted = 0; predicted < n; predicted++)
                data[predicted, actual] = counts[actual][predicted];
        }
        model.Series.Add(new HeatMapSeries
        {
            X0 = 0, X1 = n - 1, Y0 = 0, Y1 = n - 1, Data = data, RenderMethod = HeatMapRenderMethod.Rectangles,
            LabelFontSize = n <= MaxLabelledClasses ? 0.25 : 0, LabelFormatString = "0",
        });
        int side = Math.Clamp(160 + 48 * n, 480, 2400);
        return Render(panelWidth: side + 120, height: side, model);
    }

    /// <summary>
    /// Each trial's accuracy against its training time, one colour per architecture, with the spread over
    /// cross-validation folds as error bars.
    /// </summary>
    /// <param name="trials">The completed trials.</param>
    public static RgbImage AccuracyVersusTrainingTime(IReadOnlyList<TrialPoint> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var model = NewModel("Micro accuracy against training time");
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "Training time (s)", Minimum = 0, MaximumPadding = 0.08, MajorGridlineStyle = LineStyle.Dot });
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left, Title = "Micro accuracy", StringFormat = "P0", Minimum = -0.02, Maximum = 1.02, MajorStep = 0.2, MajorGridlineStyle = LineStyle.Dot,
        });
        foreach (var architecture in trials.GroupBy(t => t.Architecture))
        {
            var series = new ScatterErrorSeries { Title = architecture.Key, MarkerType = MarkerType.Circle, MarkerSize = 5 };
            series.Points.AddRange(architecture.Select(t => new ScatterErrorPoint(t.TrainingSeconds, t.Accuracy, 0, t.AccuracyStd)));
            model.Series.Add(series);
        }
        model.Legends.Add(new Legend { LegendPlacement = LegendPlacement.Outside, LegendPosition = LegendPosition.RightTop, LegendTitle = "Architecture" });
        return Render(panelWidth: 840, height: 480, model);
    }

    private static PlotModel LineChart(string title, IReadOnlyList<EpochReport> history, Func<EpochReport, double> train,
        Func<EpochReport, double?> validation, string format)
    {
        var model = NewModel(title);
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Bottom, Title = "Epoch", Minimum = 0.5, Maximum = history.Count + 0.5, MajorStep = Math.Max(1, history.Count / 10),
            MinorStep = 1, MajorGridlineStyle = LineStyle.Dot,
        });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, StringFormat = format, MajorGridlineStyle = LineStyle.Dot });
        model.Series.Add(Line("training", TrainColour, history.Select(e => new DataPoint(e.Epoch, train(e)))));
        if (history.Any(e => validation(e) is not null))
            model.Series.Add(Line("validation", ValidationColour, history.Where(e => validation(e) is not null).Select(e => new DataPoint(e.Epoch, validation(e)!.Value))));
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.RightTop, LegendBackground = OxyColor.FromAColor(220, OxyColors.White) });
        return model;
    }

    private static LineSeries Line(string title, OxyColor colour, IEnumerable<DataPoint> points)
    {
        var series = new LineSeries { Title = title, Color = colour, MarkerType = MarkerType.Circle, MarkerFill = colour, MarkerSize = 3, StrokeThickness = 2 };
        series.Points.AddRange(points);
        return series;
    }

    private static PlotModel NewModel(string title) => new()
    {
        Title = title, TitleFontSize = 15, Background = OxyColors.White, DefaultFont = SkiaRaster.FontFamily, DefaultFontSize = 12,
    };

    private static RgbImage Render(int panelWidth, int height, params PlotModel[] panels) =>
        SkiaRaster.Draw(panelWidth * panels.Length, height, canvas =>
        {
            using var context = new SkiaRenderContext { RenderTarget = RenderTarget.PixelGraphic, SkCanvas = canvas };
            for (int i = 0; i < panels.Length; i++)
            {
                IPlotModel panel = panels[i];
                panel.Update(true);
                canvas.Save();
                canvas.Translate(i * panelWidth, 0);
                panel.Render(context, new OxyRect(0, 0, panelWidth, height));
                canvas.Restore();
            }
        });
}

/// <summary>One trial of a model comparison, as <see cref="Charts.AccuracyVersusTrainingTime"/> plots it.</summary>
/// <param name="Architecture">The architecture, which picks the colour.</param>
/// <param name="TrainingSeconds">Training time.</param>
/// <param name="Accuracy">Micro accuracy (mean over folds).</param>
/// <param name="AccuracyStd">Standard deviation over folds; 0 for a single hold-out.</param>
public readonly record struct TrialPoint(string Architecture, double TrainingSeconds, double Accuracy, double AccuracyStd);
