using System.Globalization;
using System.Net;
using System.Text;

namespace NotebookNet.Visualization;

/// <summary>One named line of a chart: y against x.</summary>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>A series whose x values are 1, 2, 3, … (epochs).</summary>
    public static Series Of(string name, IEnumerable<double> y)
    {
        double[] values = y.ToArray();
        return new Series(name, Enumerable.Range(1, values.Length).Select(i => (double)i).ToArray(), values);
    }
}

/// <summary>
/// Line and bar charts and histograms drawn as SVG: no script and no network, so they render in VS Code,
/// Jupyter and on GitHub. <see cref="ToString"/> is the SVG; notebooks display it as HTML.
/// </summary>
public sealed class Chart
{
    private const int Width = 640, Height = 360, Left = 64, Right = 150, Top = 36, Bottom = 48;
    private static readonly string[] Palette = ["#2166ac", "#d6604d", "#1b7837", "#762a83", "#e08214", "#35978f", "#8c510a", "#c51b7d"];
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly string _svg;

    private Chart(string svg) => _svg = svg;

    /// <summary>The chart's title.</summary>
    public string Title { get; private init; } = "";

    /// <summary>The number of series or bars drawn.</summary>
    public int SeriesCount { get; private init; }

    /// <summary>The x axis's label.</summary>
    public string XLabel { get; private init; } = "";

    /// <summary>The y axis's label.</summary>
    public string YLabel { get; private init; } = "";

    /// <summary>The data drawn: the lines of a line chart, the steps of a histogram, one series of the bars' values.</summary>
    public IReadOnlyList<Series> Data { get; private init; } = [];

    /// <summary>A bar chart's categories, one per value of <see cref="Data"/>'s series; empty for lines.</summary>
    public IReadOnlyList<string> Categories { get; private init; } = [];

    /// <summary>
    /// The same chart drawn by plotly.js, with hover, zoom and series toggled from the legend (XPlot.Plotly builds it):
    /// for trying things in a notebook. plotly.js comes from the local copy <c>scripts/fetch-plotly.sh</c> puts in
    /// <c>notebooks/.plotly/</c>, never from a CDN; committed outputs keep the static SVG. In a notebook: <c>chart.Interactive()</c>.
    /// </summary>
    public InteractiveChart Interactive() => new(this);

    /// <summary>Lines through each series' points.</summary>
    /// <exception cref="ArgumentException">No series, or a series with mismatched x and y.</exception>
    public static Chart Line(string title, string xLabel, string yLabel, params IReadOnlyList<Series> series)
    {
        if (series.Count == 0 || series.Any(s => s.X.Count != s.Y.Count || s.X.Count == 0))
        {
            throw new ArgumentException("a line chart needs at least one series with as many x as y values, and at least one point");
        }
        double xMin = series.Min(s => s.X.Min()), xMax = series.Max(s => s.X.Max());
        double yMin = series.Min(s => s.Y.Where(double.IsFinite).DefaultIfEmpty(0).Min());
        double yMax = series.Max(s => s.Y.Where(double.IsFinite).DefaultIfEmpty(1).Max());
        var svg = Begin(title, xLabel, yLabel, xMin, xMax, yMin, yMax, out Func<double, double> px, out Func<double, double> py);
        for (int i = 0; i < series.Count; i++)
        {
            string colour = Palette[i % Palette.Length];
            var points = series[i].X.Zip(series[i].Y).Where(p => double.IsFinite(p.Second))
                .Select(p => string.Create(Invariant, $"{px(p.First):F1},{py(p.Second):F1}"));
            svg.Append(Invariant, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>");
            if (series[i].X.Count <= 30)
            {
                foreach ((double x, double y) in series[i].X.Zip(series[i].Y).Where(p => double.IsFinite(p.Second)))
                {
                    svg.Append(Invariant, $"<circle cx=\"{px(x):F1}\" cy=\"{py(y):F1}\" r=\"2.5\" fill=\"{colour}\"/>");
                }
            }
            Legend(svg, i, series[i].Name, colour);
        }
        return new Chart(svg.Append("</svg>").ToString()) { Title = title, SeriesCount = series.Count, XLabel = xLabel, YLabel = yLabel, Data = series };
    }

    /// <summary>One bar per category.</summary>
    public static Chart Bar(string title, string xLabel, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<double> values)
    {
        if (categories.Count != values.Count || values.Count == 0)
        {
            throw new ArgumentException($"a bar chart needs one value per category: {categories.Count} categories, {values.Count} values");
        }
        var svg = Begin(title, xLabel, yLabel, -0.5, values.Count - 0.5, Math.Min(0, values.Min()), values.Max(), out var px, out var py, categories);
        double barWidth = (Width - Left - Right) / (double)values.Count * 0.8;
        for (int i = 0; i < values.Count; i++)
        {
            double top = py(Math.Max(0, values[i])), bottom = py(Math.Min(0, values[i]));
            svg.Append(Invariant, $"<rect x=\"{px(i) - barWidth / 2:F1}\" y=\"{top:F1}\" width=\"{barWidth:F1}\" height=\"{bottom - top:F1}\" fill=\"{Palette[0]}\"><title>{WebUtility.HtmlEncode(categories[i])}: {values[i]:G4}</title></rect>");
        }
        return new Chart(svg.Append("</svg>").ToString())
        {
            Title = title, SeriesCount = 1, XLabel = xLabel, YLabel = yLabel, Categories = categories,
            Data = [new Series(yLabel, Enumerable.Range(0, values.Count).Select(i => (double)i).ToArray(), values)],
        };
    }

    /// <summary>Histograms of several samples on shared bins, drawn as outlined steps.</summary>
    public static Chart Histogram(string title, string xLabel, int bins, params IReadOnlyList<(string Name, IReadOnlyList<float> Values)> samples)
    {
        float[] all = samples.SelectMany(s => s.Values).Where(float.IsFinite).ToArray();
        if (all.Length == 0 || bins < 1)
        {
            throw new ArgumentException("a histogram needs finite values and at least one bin");
        }
        double min = all.Min(), max = all.Max();
        if (max <= min)
        {
            max = min + 1;
        }
        double width = (max - min) / bins;
        var series = samples.Select(s =>
        {
            var counts = new double[bins];
            foreach (float v in s.Values.Where(float.IsFinite))
            {
                counts[Math.Min(bins - 1, (int)((v - min) / width))]++;
            }
            double total = Math.Max(1, counts.Sum());
            var x = new List<double>();
            var y = new List<double>();
            for (int b = 0; b < bins; b++)
            {
                x.Add(min + b * width);
                y.Add(counts[b] / total);
                x.Add(min + (b + 1) * width);
                y.Add(counts[b] / total);
            }
            return new Series(s.Name, x, y);
        }).ToArray();
        return Line(title, xLabel, "fraction", series);
    }

    /// <summary>The SVG markup.</summary>
    public override string ToString() => _svg;

    /// <summary>Round tick values between <paramref name="low"/> and <paramref name="high"/>: multiples of 1, 2, 2.5 or 5 × 10^k, at most about seven.</summary>
    internal static IEnumerable<double> Ticks(double low, double high)
    {
        double raw = (high - low) / 7;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(f => f * magnitude).First(candidate => candidate >= raw);
        for (double k = Math.Ceiling(low / step); k * step <= high + step * 1e-9; k++)
        {
            yield return Math.Round(k * step, 12) + 0.0; // + 0.0 turns −0 into 0
        }
    }

    private static string TickLabel(double value) =>
        Math.Abs(value) >= 10_000 ? value.ToString("N0", Invariant) : value.ToString("G4", Invariant);

    private static StringBuilder Begin(string title, string xLabel, string yLabel, double xMin, double xMax, double yMin, double yMax,
        out Func<double, double> px, out Func<double, double> py, IReadOnlyList<string>? categories = null)
    {
        if (xMax <= xMin)
        {
            xMax = xMin + 1;
        }
        if (yMax <= yMin)
        {
            yMax = yMin + 1;
        }
        double pad = (yMax - yMin) * 0.05;
        yMin -= categories is null ? pad : 0;
        yMax += pad;
        double x0 = xMin, x1 = xMax, y0 = yMin, y1 = yMax;
        px = x => Left + (x - x0) / (x1 - x0) * (Width - Left - Right);
        py = y => Height - Bottom - (y - y0) / (y1 - y0) * (Height - Top - Bottom);
        var svg = new StringBuilder().Append(Invariant,
            $"<svg class=\"nbnet-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(Invariant, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.Append(Invariant, $"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{WebUtility.HtmlEncode(title)}</text>");
        svg.Append(Invariant, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>");
        svg.Append(Invariant, $"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"black\"/>");
        foreach (double y in Ticks(y0, y1))
        {
            svg.Append(Invariant, $"<line x1=\"{Left}\" y1=\"{py(y):F1}\" x2=\"{Width - Right}\" y2=\"{py(y):F1}\" stroke=\"#ddd\"/>");
            svg.Append(Invariant, $"<text x=\"{Left - 6}\" y=\"{py(y) + 4:F1}\" text-anchor=\"end\">{TickLabel(y)}</text>");
        }
        if (categories is null)
        {
            foreach (double x in Ticks(x0, x1))
            {
                svg.Append(Invariant, $"<text x=\"{px(x):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{TickLabel(x)}</text>");
            }
        }
        else
        {
            for (int i = 0; i < categories.Count; i++)
            {
                svg.Append(Invariant, $"<text x=\"{px(i):F1}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(categories[i])}</text>");
            }
        }
        svg.Append(Invariant, $"<text x=\"{Left + (Width - Left - Right) / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xLabel)}</text>");
        svg.Append(Invariant, $"<text transform=\"translate(16 {Top + (Height - Top - Bottom) / 2}) rotate(-90)\" text-anchor=\"middle\">{WebUtility.HtmlEncode(yLabel)}</text>");
        return svg;
    }

    private static void Legend(StringBuilder svg, int index, string name, string colour)
    {
        double y = Top + 8 + index * 18;
        svg.Append(Invariant, $"<line x1=\"{Width - Right + 12}\" y1=\"{y:F1}\" x2=\"{Width - Right + 32}\" y2=\"{y:F1}\" stroke=\"{colour}\" stroke-width=\"3\"/>");
        svg.Append(Invariant, $"<text x=\"{Width - Right + 38}\" y=\"{y + 4:F1}\">{WebUtility.HtmlEncode(name)}</text>");
    }
}
