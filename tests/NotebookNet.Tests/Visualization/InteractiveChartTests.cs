using NotebookNet.Visualization;

namespace NotebookNet.Tests.Visualization;

/// <summary>chart.Interactive(): the chart's own data drawn by plotly.js from a local copy, never a CDN.</summary>
[Collection("Console")]
public class InteractiveChartTests
{
    private static Chart Curves() => Chart.Line("loss per epoch", "epoch", "loss",
        Series.Of("train", [0.91, 0.42, 0.3125]), Series.Of("validation", [0.95, 0.5, 0.4375]));

    private static string WithScript(string? path, Func<string> render)
    {
        string? before = Environment.GetEnvironmentVariable(InteractiveChart.ScriptVariable);
        Environment.SetEnvironmentVariable(InteractiveChart.ScriptVariable, path);
        try
        {
            return render();
        }
        finally
        {
            Environment.SetEnvironmentVariable(InteractiveChart.ScriptVariable, before);
        }
    }

    [Fact]
    public void ItCarriesTheDataAndThePlotlyOfTheLocalCopyAndNoNetworkAddress()
    {
        using var folder = new TempFolder();
        string script = folder.File("plotly.min.js");
        File.WriteAllText(script, "/* the local copy */ window.Plotly = { newPlot: function () {} };");
        string html = WithScript(script, () => Curves().Interactive().ToHtml());
        Assert.Contains("/* the local copy */", html);
        Assert.Contains("Plotly.newPlot", html);
        foreach (string value in new[] { "0.91", "0.42", "0.3125", "0.4375", "\"train\"", "\"validation\"", "loss per epoch", "epoch" })
        {
            Assert.Contains(value, html);
        }
        Assert.Contains("\"title.text\":\"loss per epoch\"", html); // as plotly.js 3 and later read titles
        Assert.DoesNotContain("cdn", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script src=", html);

        string bars = WithScript(script, () => Chart.Bar("per class", "class", "accuracy", ["Shirt", "Coat"], [0.48, 0.823]).Interactive().ToHtml());
        Assert.Contains("\"Shirt\"", bars);
        Assert.Contains("0.823", bars);
    }

    [Fact]
    public void WithoutTheLocalCopyItShowsTheStaticChartAndHowToGetIt()
    {
        using var folder = new TempFolder();
        string html = WithScript(folder.File("missing.js"), () => Curves().Interactive().ToHtml());
        Assert.StartsWith("<svg", html);
        Assert.Contains("scripts/fetch-plotly.sh", html);
        Assert.DoesNotContain("Plotly.newPlot", html);
    }
}
