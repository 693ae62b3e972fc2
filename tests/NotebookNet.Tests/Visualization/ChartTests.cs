using NotebookNet.Preprocessing;
using NotebookNet.Visualization;

namespace NotebookNet.Tests.Visualization;

public class ChartTests
{
    [Theory]
    [InlineData(-0.005, 1.04, new[] { 0, 0.2, 0.4, 0.6, 0.8, 1 })]
    [InlineData(0, 6, new double[] { 0, 1, 2, 3, 4, 5, 6 })]
    [InlineData(1, 30, new double[] { 5, 10, 15, 20, 25, 30 })]
    [InlineData(0.9, 0.99, new[] { 0.9, 0.92, 0.94, 0.96, 0.98 })]
    [InlineData(-0.04, 0.5, new[] { 0, 0.1, 0.2, 0.3, 0.4, 0.5 })]
    public void TicksAreRoundNumbers(double low, double high, double[] expected) =>
        Assert.Equal(expected, Chart.Ticks(low, high));

    [Fact]
    public void ZeroTickIsNotNegative() => Assert.False(double.IsNegative(Chart.Ticks(-0.04, 0.5).First()));

    [Fact]
    public void LineChartIsSvgWithItsSeries()
    {
        Chart chart = Chart.Line("accuracy", "epoch", "accuracy", Series.Of("a", [0.5, 0.9]), Series.Of("b", [0.4, 0.8]));
        string svg = chart.ToString();
        Assert.StartsWith("<svg class=\"nbnet-chart\"", svg);
        Assert.Equal(2, chart.SeriesCount);
        Assert.Contains(">0.5<", svg);
        Assert.Throws<ArgumentException>(() => Chart.Line("empty", "x", "y"));
    }

    [Fact]
    public void PicturesShowAbsoluteGrayAtTheRequestedSize()
    {
        var wide = new GrayImage(400, 100);
        string html = HtmlRenderer.Picture(wide, side: 140);
        Assert.Contains("width=\"142\" height=\"37\"", html);   // 140×35 inside a one-pixel frame
        Assert.Contains("nbnet-picture", HtmlRenderer.Pictures([(wide, "a caption")]));
        Assert.Contains("a caption", HtmlRenderer.Pictures([(wide, "a caption")]));
    }
}
