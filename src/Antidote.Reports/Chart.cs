using ScottPlot;

namespace Antidote.Reports;

/// <summary>A line or point series of a figure.</summary>
public sealed record Series(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Dashed = false, bool Points = false, int Colour = -1);

/// <summary>One figure of a report, drawn by ScottPlot into PNG bytes.</summary>
public static class Chart
{
    public const int Width = 860, Height = 440;

    public static byte[] Draw(string title, string xLabel, string yLabel, IReadOnlyList<Series> series, IReadOnlyList<double>? verticalLines = null)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var scatter = plot.Add.Scatter(s.X.ToArray(), s.Y.ToArray());
            scatter.LegendText = s.Label;
            scatter.Color = palette.GetColor(s.Colour >= 0 ? s.Colour : i);
            scatter.LineWidth = s.Points ? 0 : 2;
            scatter.MarkerSize = s.Points ? 9 : 4;
            if (s.Dashed) scatter.LinePattern = LinePattern.Dashed;
        }
        foreach (double x in verticalLines ?? [])
        {
            var line = plot.Add.VerticalLine(x);
            line.Color = Colors.Gray;
            line.LinePattern = LinePattern.Dotted;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        if (series.Count > 0)
        {
            plot.ShowLegend();
            plot.Legend.Alignment = Alignment.UpperLeft;
        }
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
