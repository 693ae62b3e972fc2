using System.Net;
using XPlot.Plotly;

namespace NotebookNet.Visualization;

/// <summary>
/// A <see cref="Chart"/> drawn by plotly.js — hover for values, drag to zoom, click a legend entry to hide a series —
/// built with XPlot.Plotly from the chart's own data. plotly.js is read from a pinned local copy
/// (<c>scripts/fetch-plotly.sh</c> fetches npm's <c>plotly.js-dist-min</c> into <c>notebooks/.plotly/</c>, which git
/// ignores) and put into the output itself, once per page: no CDN, no network when the chart is viewed. Without the
/// copy, <see cref="ToHtml"/> gives the static SVG and says how to get it.
/// </summary>
public sealed class InteractiveChart(Chart chart)
{
    /// <summary>The environment variable that names plotly.js's file, instead of <c>notebooks/.plotly/plotly.min.js</c>.</summary>
    public const string ScriptVariable = "NOTEBOOKNET_PLOTLY";

    /// <summary>The chart drawn.</summary>
    public Chart Chart { get; } = chart;

    /// <summary>Where plotly.js is read from: <see cref="ScriptVariable"/>, else <c>notebooks/.plotly/plotly.min.js</c> in the repository.</summary>
    public static string? ScriptPath =>
        Environment.GetEnvironmentVariable(ScriptVariable) is { Length: > 0 } path ? path
        : Data.Mnist.RepositoryRoot() is string root ? Path.Combine(root, "notebooks", ".plotly", "plotly.min.js") : null;

    /// <summary>The plotly.js figure alone: a <c>div</c> and the script that draws the data into it with <c>Plotly.newPlot</c>.</summary>
    public string Figure()
    {
        PlotlyChart figure;
        if (Chart.Categories.Count > 0)
        {
            figure = XPlot.Plotly.Chart.Plot(new Bar { x = Chart.Categories, y = Chart.Data[0].Y, name = Chart.Data[0].Name });
        }
        else
        {
            figure = XPlot.Plotly.Chart.Plot(Chart.Data.Select(series => new Scatter
            {
                x = series.X, y = series.Y, name = series.Name, mode = series.X.Count <= 30 ? "lines+markers" : "lines",
            }));
        }
        figure.WithWidth(720);
        figure.WithHeight(420);
        string html = figure.GetInlineHtml();
        // XPlot.Plotly 4.1 writes titles as plain strings, which plotly.js 3 and later ignore: set them as plotly.js
        // now reads them, {title: {text}}, on the figure XPlot drew.
        string id = System.Text.RegularExpressions.Regex.Match(html, "<div id=\"([^\"]+)\"").Groups[1].Value;
        string titles = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["title.text"] = Chart.Title, ["xaxis.title.text"] = Chart.XLabel, ["yaxis.title.text"] = Chart.YLabel,
        });
        return html + $"<script>Plotly.relayout('{id}', {titles});</script>";
    }

    /// <summary>
    /// The HTML a notebook shows: plotly.js from the local copy (its whole text in a <c>script</c> element, skipped by
    /// the browser when an earlier output already defined <c>Plotly</c>), then the figure. Without the copy, the static
    /// chart with a line saying how to get it.
    /// </summary>
    public string ToHtml()
    {
        string? path = ScriptPath;
        if (path is null || !File.Exists(path))
        {
            return Chart + "<p><small>An interactive chart needs a local copy of plotly.js (no CDN is used): run " +
                WebUtility.HtmlEncode("scripts/fetch-plotly.sh") + " from the repository, then this cell again. The chart above is the static one.</small></p>";
        }
        string library = File.ReadAllText(path);
        // Loaded once per page: the check keeps later charts from parsing 4 MB again.
        return "<script>if (typeof Plotly === 'undefined') {\n" + library.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase) +
            "\n}</script>\n" + Figure();
    }

    /// <inheritdoc/>
    public override string ToString() => ToHtml();
}
