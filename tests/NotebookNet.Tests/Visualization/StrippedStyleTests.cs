using System.Text.RegularExpressions;
using NotebookNet.Preprocessing;
using NotebookNet.Tensors;
using NotebookNet.Training;
using NotebookNet.Visualization;


namespace NotebookNet.Tests.Visualization;

/// <summary>
/// GitHub's notebook viewer is reported to strip style attributes and scripts. Every display must still show what it
/// shows without them: images at their own pixel size (so nothing is smoothed), grids as tables, colours as attributes.
/// </summary>
public class StrippedStyleTests
{
    private static string Stripped(string html) => Regex.Replace(html, "\\s*style=\"[^\"]*\"", "");

    /// <summary>Each img tag's width and height against the size of the PNG inside it.</summary>
    private static IEnumerable<(int Width, int Height, int PngWidth, int PngHeight)> Images(string html)
    {
        foreach (Match match in Regex.Matches(html, "<img [^>]*src=\"data:image/png;base64,([^\"]+)\" width=\"(\\d+)\" height=\"(\\d+)\""))
        {
            GrayImage png = ImageDecoder.Decode(Convert.FromBase64String(match.Groups[1].Value), "display.png");
            yield return (int.Parse(match.Groups[2].Value), int.Parse(match.Groups[3].Value), png.Width, png.Height);
        }
    }

    [Fact]
    public void DigitGridsAreTablesOfImagesShownAtTheirOwnSize()
    {
        var digits = new Tensor(Enumerable.Range(0, 12 * 784).Select(i => i % 7 / 7f).ToArray(), 12, 784);
        string html = Stripped(HtmlRenderer.Grid(digits, Enumerable.Range(0, 12).Select(i => $"#{i}").ToArray(), columns: 5, scale: 3));
        Assert.StartsWith("<table", html);
        Assert.Equal(3, Regex.Matches(html, "<tr>").Count);      // 12 digits, 5 to a row
        Assert.Equal(12, Images(html).Count());
        Assert.All(Images(html), image => Assert.Equal((84, 84, 84, 84), (image.Width, image.Height, image.PngWidth, image.PngHeight)));
        Assert.Contains("#11", html);
    }

    [Fact]
    public void PicturesAndStepsAreFramedInsideThePng()
    {
        var pictures = new[] { (new GrayImage(20, 10), "small"), (new GrayImage(300, 300), "large") };
        string html = Stripped(HtmlRenderer.Pictures(pictures, side: 120, columns: 2));
        Assert.StartsWith("<table", html);
        (int Width, int Height, int PngWidth, int PngHeight)[] images = Images(html).ToArray();
        Assert.Equal((122, 62, 122, 62), images[0]);   // 20×10 enlarged 6 times, a one-pixel frame around
        Assert.Equal((122, 122, 122, 122), images[1]); // 300×300 averaged down to 120
        GrayImage framed = ImageDecoder.Decode(Convert.FromBase64String(Regex.Match(html, "base64,([^\"]+)").Groups[1].Value), "p.png");
        Assert.True(framed[0, 0] > 0.7f && framed[1, 1] == 0f, "the frame is gray and the picture black inside it");
    }

    [Fact]
    public void ConfusionColoursAndProgressSurviveWithoutStyles()
    {
        var confusion = new ConfusionMatrix([0, 1, 2], [0, 2, 2], classes: 3);
        string table = Stripped(HtmlRenderer.Confusion(confusion));
        Assert.Matches("bgcolor=\"#[0-9a-f]{6}\">1<", table);
        string progress = Stripped(Show.Progress(0.25, "batch 15000/60000").Html);
        Assert.Contains("<progress value=\"25.0\" max=\"100\">", progress);
        Assert.Contains("batch 15000/60000", progress);
    }
}

public class CollapseScriptTests
{
    [Fact]
    public void TheCommittedNotebookKeepsOnlyTheLastStateOfALiveDisplayAndOfEachProgressBar()
    {
        // The script run-all.sh applies after a full run, on a cell as dotnet-repl records it: every update a new output.
        using var folder = new TempFolder();
        string Output(string html) => $"{{\"output_type\": \"display_data\", \"metadata\": {{}}, \"data\": {{\"text/html\": {System.Text.Json.JsonSerializer.Serialize(html)}}}}}";
        string[] outputs =
        [
            Output(Show.Live(new HtmlView("<table>0 rows</table>")).Html),
            Output(Show.Progress(0.5, "rashid: epoch 1").Html), Output(Show.Progress(1, "rashid: epoch 5").Html),
            Output(Show.Live(new HtmlView("<table>1 row</table>")).Html),
            Output(Show.Progress(1, "lenet5: epoch 20").Html),
            Output(Show.Live(new HtmlView("<table>2 rows</table>")).Html),
        ];
        string path = folder.File("n.ipynb");
        File.WriteAllText(path, $"{{\"cells\": [{{\"cell_type\": \"code\", \"metadata\": {{}}, \"source\": [], \"outputs\": [{string.Join(",", outputs)}]}}], \"metadata\": {{}}, \"nbformat\": 4, \"nbformat_minor\": 5}}");
        string script = Path.Combine(NotebookNet.Tests.Notebooks.Notebooks.Folder, "collapse-progress.py");
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("python3", [script, path]) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        string kept = File.ReadAllText(path);
        Assert.DoesNotContain("0 rows", kept);
        Assert.DoesNotContain("1 row<", kept);
        Assert.DoesNotContain("rashid: epoch 1", kept);
        Assert.Contains("rashid: epoch 5", kept);
        Assert.Contains("lenet5: epoch 20", kept);
        Assert.Contains("2 rows", kept);
        Assert.Contains("\"id\": \"cell-00\"", kept);
    }
}
