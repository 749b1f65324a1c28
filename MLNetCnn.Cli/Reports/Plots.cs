using MLNetCnn.IO;
using MLNetCnn.Training;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using OxyPlot.SkiaSharp;
using SkiaSharp;

namespace MLNetCnn.Cli.Reports;

/// <summary>The report's charts, drawn with OxyPlot and saved as PNG.</summary>
internal static class Plots
{
    private const int MaxLabelledClasses = 20;
    private static readonly OxyColor TrainColour = OxyColor.FromRgb(31, 119, 180);
    private static readonly OxyColor ValidationColour = OxyColor.FromRgb(255, 127, 14);

    /// <summary>Loss and accuracy per epoch, training and validation, as two panels side by side.</summary>
    public static Figure LearningCurves(string path, IReadOnlyList<EpochReport> history)
    {
        var loss = Chart("Loss (cross-entropy)", history, e => e.TrainLoss, e => e.ValidationLoss, "F2");
        var accuracy = Chart("Accuracy", history, e => e.TrainAccuracy, e => e.ValidationAccuracy, "P0");
        return Save(path, "Learning curves", panelWidth: 560, height: 420, loss, accuracy);
    }

    /// <summary>The confusion matrix as a heat map: true classes down, predicted classes across, with the class names.</summary>
    public static Figure ConfusionMatrix(string path, Evaluation evaluation)
    {
        int n = evaluation.ClassNames.Count;
        var model = NewModel("Confusion matrix (counts)");
        model.Axes.Add(new CategoryAxis
        {
            Position = AxisPosition.Bottom, Title = "Predicted class", ItemsSource = evaluation.ClassNames, Angle = n > 5 ? -45 : 0, GapWidth = 0,
        });
        model.Axes.Add(new CategoryAxis
        {
            Position = AxisPosition.Left, Title = "True class", ItemsSource = evaluation.ClassNames, StartPosition = 1, EndPosition = 0, GapWidth = 0,
        });
        model.Axes.Add(new LinearColorAxis
        {
            Position = AxisPosition.Right, Palette = OxyPalette.Interpolate(256, OxyColors.White, OxyColor.FromRgb(8, 69, 148)), Minimum = 0,
        });
        var counts = new double[n, n];
        for (int actual = 0; actual < n; actual++)
        {
            for (int predicted = 0; predicted < n; predicted++)
                counts[predicted, actual] = evaluation.Confusion[actual][predicted];
        }
        model.Series.Add(new HeatMapSeries
        {
            X0 = 0, X1 = n - 1, Y0 = 0, Y1 = n - 1, Data = counts, RenderMethod = HeatMapRenderMethod.Rectangles,
            LabelFontSize = n <= MaxLabelledClasses ? 0.25 : 0, LabelFormatString = "0",
        });
        int side = Math.Clamp(160 + 48 * n, 480, 2400);
        return Save(path, "Confusion matrix", panelWidth: side + 120, height: side, model);
    }

    /// <summary>
    /// Each completed trial's micro accuracy against its training time, one colour per architecture, with the spread over
    /// cross-validation folds as error bars.
    /// </summary>
    public static Figure AccuracyVersusTrainingTime(string path, IReadOnlyList<LeaderboardRow> rows)
    {
        const string title = "Micro accuracy against training time";
        var model = NewModel(title);
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "Training time (s)", Minimum = 0, MaximumPadding = 0.08, MajorGridlineStyle = LineStyle.Dot });
        model.Axes.Add(new LinearAxis
        {
            Position = AxisPosition.Left, Title = "Micro accuracy", StringFormat = "P0", Minimum = -0.02, Maximum = 1.02, MajorStep = 0.2, MajorGridlineStyle = LineStyle.Dot,
        });
        foreach (var architecture in rows.Where(r => r.MicroAccuracy is not null).GroupBy(r => r.Architecture))
        {
            var series = new ScatterErrorSeries { Title = architecture.Key, MarkerType = MarkerType.Circle, MarkerSize = 5 };
            series.Points.AddRange(architecture.Select(r => new ScatterErrorPoint(r.TrainingSeconds, r.MicroAccuracy!.Value, 0, r.MicroAccuracyStd ?? 0)));
            model.Series.Add(series);
        }
        model.Legends.Add(new Legend { LegendPlacement = LegendPlacement.Outside, LegendPosition = LegendPosition.RightTop, LegendTitle = "Architecture" });
        return Save(path, title, panelWidth: 840, height: 480, model);
    }

    private static PlotModel Chart(string title, IReadOnlyList<EpochReport> history, Func<EpochReport, double> train,
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
        Title = title, TitleFontSize = 15, Background = OxyColors.White, DefaultFont = "DejaVu Sans", DefaultFontSize = 12,
    };

    private static Figure Save(string path, string title, int panelWidth, int height, params PlotModel[] panels)
    {
        int width = panelWidth * panels.Length;
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        using (var context = new SkiaRenderContext { RenderTarget = RenderTarget.PixelGraphic, SkCanvas = canvas })
        {
            canvas.Clear(SKColors.White);
            for (int i = 0; i < panels.Length; i++)
            {
                IPlotModel panel = panels[i];
                panel.Update(true);
                canvas.Save();
                canvas.Translate(i * panelWidth, 0);
                panel.Render(context, new OxyRect(0, 0, panelWidth, height));
                canvas.Restore();
            }
        }
        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, png.SaveTo);
        return new Figure(Path.GetFileName(path), title, width, height);
    }
}
