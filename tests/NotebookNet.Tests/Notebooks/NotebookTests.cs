using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using NotebookNet.Digits;
using NotebookNet.Tests.Studio;
using System.Text.RegularExpressions;

namespace NotebookNet.Tests.Notebooks;

/// <summary>
/// Every notebook runs top to bottom in quick mode, and what its cells produced is checked: the charts,
/// tables and images it should show and the numbers its checks print. Serial: the working directory and
/// the quick-mode variable are process-wide.
/// </summary>
[Collection(nameof(NotebookCollection))]
public partial class NotebookTests
{
    public static TheoryData<string> Names => new(Notebooks.All.Select(path => Path.GetFileName(path)));

    /// <summary>What each notebook must show, as (description, test over its HTML and console text).</summary>
    private static readonly Dictionary<string, (string What, Func<string, string, bool> Holds)[]> Expectations = new()
    {
        ["01-mnist.ipynb"] =
        [
            ("the hand-written reader agrees with the library", (_, text) => text.Contains("dimensions agree: True, pixels agree: True")),
            ("a digit image", (html, _) => html.Contains("nbnet-image")),
            ("a labelled grid of digits", (html, _) => html.Contains("nbnet-grid")),
            ("the label table", (html, _) => html.Contains("nbnet-table") && html.Contains("training share")),
            ("two charts (labels, pixel histogram)", (html, _) => Count(html, "class=\"nbnet-chart\"") >= 2),
        ],
        ["02-forward-propagation.ipynb"] =
        [
            ("activation and derivative charts", (html, _) => Count(html, "class=\"nbnet-chart\"") >= 3),
            ("the model summary table", (html, _) => html.Contains("output shape (per example)")),
            ("untrained accuracy near chance", (_, text) => Percent(text, "untrained accuracy on the 10,000 test images: ") is > 2 and < 25),
            ("the naive product agrees and is slower", (_, text) => Regex.IsMatch(text, @"the naive product was \d+× slower to classify")),
        ],
        ["03-backpropagation.ipynb"] =
        [
            ("gradient check results", (html, _) => Count(html, "max relative error") >= 5),
            ("the rule table: three broken rules fail, the true gradient passes", (html, _) => Count(html, "FAILS") == 3 && Count(html, "<td>passes</td>") == 1),
            ("both training rules learn", (html, _) => Regex.Matches(html, @"<td>(\d+\.\d+) ?%</td>").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Count(a => a > 70) == 2),
            ("a progress bar", (html, _) => html.Contains("nbnet-progress")),
            ("the mini-batch in matrix form, checked two ways", (_, text) => text.Contains("✓ the matrix form for 5 examples equals the mean of the per-example gradients")),
        ],
        ["04-training.ipynb"] =
        [
            ("the loop and the Trainer agree", (_, text) => text.Contains("give identical weights: True")),
            ("a history table", (html, _) => html.Contains("learning rate") && html.Contains("test accuracy")),
            ("the learning-rate chart and the accuracy chart", (html, _) => Count(html, "class=\"nbnet-chart\"") >= 2),
            ("a confusion heatmap", (html, _) => html.Contains("nbnet-confusion")),
            ("a gallery of misclassified digits", (html, _) => Regex.IsMatch(html, @"\d → \d \(\d+ ?%\)")),
            ("the quick-mode floor passed", (_, text) => Percent(Regex.Match(text, @"test accuracy \S+ ?% \(floor").Value, "test accuracy ") >= 90),
            ("a model that survives saving", (_, text) => text.Contains("a flipped bit: damaged.nnw: checksum mismatch")),
            ("the validation split and the rate chosen on it", (_, text) => text.Contains("✓ a random 5,000 keeps every digit's share") && text.Contains("✓ validation chooses η = ")),
            ("train against validation", (_, text) => text.Contains("of the validation digits it never saw")),
            ("saliency checked and the back-query read back", (_, text) => text.Contains("✓ nudging the pixels along the saliency map moves the score") && text.Contains("back-queried images are read as the digit they asked for")),
            ("a stopped run resumed bit for bit", (_, text) => text.Contains("✓ the run stopped at epoch") && text.Contains("as the run never stopped, bit for bit")),
            ("the network run in ONNX Runtime", (_, text) => text.Contains("✓ ONNX Runtime's logits for 100 test digits")),
            ("one digit at a time, the batch's scores", (_, text) => text.Contains("✓ 100 of the 100 digits get from FrozenModel") && Regex.IsMatch(text, @"µs a digit through Forward, \d+\.\d µs through FrozenModel")),
            ("the history queried as a DataFrame", (html, text) => text.Contains("✓ the query's top row has the best validation accuracy") && html.Contains("<th>half</th>")),
        ],
        ["07-preprocessing-hand-drawn-digits.ipynb"] =
        [
            ("predictions of a shifted digit", (html, _) => Regex.IsMatch(html, @"shift 7: \d \(\d+ ?%\)")),
            ("the pipeline by hand agrees with the library", (_, text) =>
                Regex.Match(text, @"by hand vs the library's DigitPreprocessor: mean pixel error (\d\.\d+)") is { Success: true } m &&
                double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) < 0.01),
            ("every preprocessing step as an image", (html, _) => html.Contains("placed so the centre of mass is at the centre") && html.Contains("nbnet-picture")),
            ("generated drawings", (html, _) => html.Contains("transparent paper") || html.Contains("dark paper")),
            ("edge cases with defined results", (html, _) => html.Contains("no digit: the picture is blank") && html.Contains("no digit: only a speck") && Count(html, "digit, read as") >= 6),
            ("both models learn in quick mode", (_, text) => Percent(text, "LeNet-5 without augmentation: test accuracy ") >= 80 && Percent(text, "LeNet-5 with augmentation: test accuracy ") >= 80),
            ("the shift charts", (html, _) => Count(html, "class=\"nbnet-chart\"") >= 2),
            ("the accuracy table", (html, _) => html.Contains("drawings, squeezed only") && html.Contains("LeNet-5, augmented training")),
            ("preprocessing beats squeezing", (_, text) => Percent(text, "augmented model with preprocessing: accuracy ") >= 40),
            ("its claims, checked", (_, text) => text.Contains("✓ moving the digits one pixel diagonally costs") && text.Contains("✓ preprocessing gains")),
            ("a prediction read from a file", (_, text) => Regex.IsMatch(text, @"notebooknet-07-digit\.png \(drawn as \d\): \d \(")),
            ("small tight pictures read like large ones", (_, text) => text.Contains("✓ the small and the enlarged pictures are read within")),
        ],
        ["05-convolutional-networks.ipynb"] =
        [
            ("the hand-written convolution agrees with Conv2d", (_, text) => text.Contains("Conv2d gives the same (1, 1, 3, 3): True")),
            ("feature maps and filters as images", (html, _) => Count(html, "nbnet-grid") >= 4),
            ("the small CNN's shapes", (html, _) => html.Contains("(8, 24, 24)") && html.Contains("(8, 20, 20)") && html.Contains("(800,)")),
            ("gradient checks of convolution and pooling", (html, _) => Count(html, "max relative error") >= 5),
            ("the CNN learns in quick mode", (_, text) => Percent(text, "small CNN after one epoch: test accuracy ") >= 90),
            ("the comparison with the MLP on equal terms", (html, text) => html.Contains("784-128-10 MLP") && text.Contains("✓ on equal terms the CNN makes")),
            ("max pooling backward by hand", (_, text) => text.Contains("✓ MaxPool2d.Backward routes each gradient")),
            ("LeNet-5, shape by shape and trained", (html, text) => html.Contains("(16, 10, 10)") && text.Contains("✓ LeNet-5 has 61,706 weights")),
            ("the same LeNet-5 on Fashion-MNIST, where clothing is harder", (_, text) => text.Contains("✓ the same LeNet-5 reads") && text.Contains("of Fashion-MNIST's test set")),
        ],
        ["06-optimisers-and-regularisation.ipynb"] =
        [
            ("momentum by hand agrees with the library", (_, text) => text.Contains("momentum by hand after 50 steps:")),
            ("the optimiser comparison", (html, _) => html.Contains("momentum 0.9, η=0.05") && html.Contains("Adam η=0.001")),
            ("activation histograms for three initialisations", (html, _) => html.Contains("Zeros: every activation is 0") && html.Contains("Glorot: spread")),
            ("the regularisation table", (html, _) => html.Contains("L2 λ=3e-3") && html.Contains("dropout 0.5")),
            ("augmented digits and the augmentation table", (html, _) => html.Contains("label ") && html.Contains("not augmented") && html.Contains("augmented + elastic")),
            ("the elastic field by hand agrees with the library", (_, text) =>
                Regex.Match(text, @"displacement field by hand vs the library: largest difference (\S+) px") is { Success: true } m &&
                double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) < 1e-4),
            ("at least six charts", (html, _) => Count(html, "class=\"nbnet-chart\"") >= 6),
            ("its claims, checked", (_, text) => text.Contains("✓ SGD at η = 0.02 never crosses the floor") && text.Contains("✓ on 1,000 images, at the last epoch")),
            ("the range test and the cosine schedule", (_, text) => text.Contains("✓ the loss falls from") && text.Contains("✓ Schedule.Cosine() gives")),
            ("vanishing gradients, batch norm and an ensemble, measured", (_, text) => text.Contains("✓ from the output layer back to the first, the sigmoid network's gradient shrinks")
                && text.Contains("with batch norm") && text.Contains("✓ the ensemble reads")),
        ],
        ["08-your-own-handwriting.ipynb"] =
        [
            ("the studio started inside the kernel", (html, text) => text.Contains("The studio is at http://127.0.0.1:") && html.Contains("<iframe src=\"http://127.0.0.1:")),
            ("both models on the digits, and the better one's mistakes", (html, text) => html.Contains("generated drawings") || html.Contains("your digits")),
            ("the fine-tuning verdict on the held-out half and MNIST", (_, text) => text.Contains("the method held") || text.Contains("the method failed here")),
            ("the studio stopped at the end", (_, text) => text.Contains("the studio has stopped")),
        ],
        ["09-reproducing-published-results.ipynb"] =
        [
            ("the configurations with their sources", (html, _) => html.Contains("LeCun et al. 1998, LeNet-5") && html.Contains("Simard et al. 2003")),
            ("a row for every reproduced recipe", (html, _) => Recipe.Reproduced.All(recipe => html.Contains($"<td>{recipe.Name}</td>"))),
            ("the floors checked and the drawings graded", (_, text) => text.Contains("✓ every recipe trained here reached its floor") && text.Contains("augmented LeNet-5 with preprocessing reads")),
            ("the two recipes that take minutes left to reproduce, and said so", (html, text) =>
                html.Contains("<td>not trained here</td>") && Regex.IsMatch(text, @"reached its floor: rashid .*, mlp256 .*, small-cnn .*, lenet5 [^,]*; left to `notebooknet reproduce`: best-mlp, bn-cnn")),
        ],
    };

    [Theory]
    [MemberData(nameof(Names))]
    public async Task RunsTopToBottomAndShowsItsResults(string name)
    {
        bool studioNotebook = name == "08-your-own-handwriting.ipynb";
        int drawnBefore = s_drawnOnStudio;
        IReadOnlyList<CellRun> cells = await Notebooks.RunQuickAsync(name, studioNotebook ? DrawOnTheStudioAsRendered : null);
        Assert.True(!studioNotebook || s_drawnOnStudio == drawnBefore + 1, "notebook 08's studio cell was not found, so nothing was drawn on it");
        string html = string.Join("\n", cells.SelectMany(cell => cell.Html));
        string text = string.Join("\n", cells.Select(cell => cell.Output));
        Assert.True(Expectations.ContainsKey(name), $"{name} has no expectations in NotebookTests: add what it must show");
        foreach ((string what, Func<string, string, bool> holds) in Expectations[name])
        {
            Assert.True(holds(html, text), $"{name} should show {what}; its console output was:\n{text}");
        }
    }

    /// <summary>
    /// Notebook 08 shows the studio inline, served by its kernel. While that kernel lives, the studio cell's HTML output
    /// is rendered as a notebook viewer renders it — a page of its own, the output embedded as it is — and opened in
    /// Chromium, where a 7 is drawn on the inline canvas and must be answered.
    /// </summary>
    private static int s_drawnOnStudio;

    private static async Task<bool> DrawOnTheStudioAsRendered(CellRun cell)
    {
        if (!cell.Contains("StudioServer.StartAsync"))
        {
            return true;
        }
        string rendered = Path.Combine(Path.GetTempPath(), $"notebooknet-08-rendered-{Guid.NewGuid():N}.html");
        File.WriteAllText(rendered, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>08 — Your own handwriting</title></head><body>" +
            $"<pre>{System.Net.WebUtility.HtmlEncode(cell.Code)}</pre>{string.Join("\n", cell.Html)}<pre>{System.Net.WebUtility.HtmlEncode(cell.Output)}</pre></body></html>");
        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await Browser.LaunchAsync(playwright);
        IPage page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 1000 } });
        try
        {
            await page.GotoAsync(new Uri(rendered).AbsoluteUri);
            IFrameLocator studio = page.FrameLocator("iframe[title='the drawing studio']");
            await studio.Locator("#model option").First.WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
            await studio.Locator("#pad").ScrollIntoViewIfNeededAsync();
            await Browser.Draw(page, studio.Locator("#pad"), Browser.Strokes[7]);
            await Assertions.Expect(studio.Locator("#digit")).ToHaveTextAsync("7", new() { Timeout = 15_000 });
            Assert.Equal(10, await studio.Locator("#bars .bar").CountAsync());
            Assert.Equal(1, await page.Locator("p a[href^='http://127.0.0.1:']").CountAsync()); // for front ends that block the frame
            File.Delete(rendered);
            s_drawnOnStudio++;
        }
        catch (Exception error) when (error is not Xunit.Sdk.XunitException)
        {
            string screenshot = Path.ChangeExtension(rendered, ".png");
            await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
            throw new Xunit.Sdk.XunitException($"drawing on notebook 08's inline studio failed ({error.Message}); the page: {rendered}, its screenshot: {screenshot}");
        }
        return true;
    }

    [Fact]
    public void EveryNotebookLoadsTheSetupInItsFirstCellAndNoOtherPath()
    {
        Assert.NotEmpty(Notebooks.All);
        foreach (string path in Notebooks.All)
        {
            List<string> cells = NotebookRunner.ReadCodeCells(path);
            // NuGet packages a notebook needs come first: .NET Interactive resolves them before the library is loaded by path.
            string setup = string.Join("\n", cells[0].Split('\n').SkipWhile(line => line.StartsWith("#r \"nuget:", StringComparison.Ordinal)));
            Assert.StartsWith("#load \"NotebookNet.csx\"", setup);
            Assert.DoesNotContain(cells, cell => cell.Contains("NotebookNet.dll", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void CommittedOutputsAreAFullRunWithoutErrors(string name)
    {
        string text = File.ReadAllText(Notebooks.PathOf(name));
        // A character broken into replacement characters (dotnet-repl's writer did that to "Wᵀ" and "…" in cell sources;
        // run-all.sh puts the sources back and refuses such outputs).
        int broken = Math.Max(text.IndexOf('\uFFFD'), text.IndexOf("\\ufffd", StringComparison.OrdinalIgnoreCase));
        Assert.True(broken < 0, $"{name} holds a replacement character (U+FFFD) at {broken}");
        using JsonDocument notebook = JsonDocument.Parse(text);
        var codeCells = notebook.RootElement.GetProperty("cells").EnumerateArray()
            .Where(cell => cell.GetProperty("cell_type").GetString() == "code").ToList();
        for (int i = 0; i < codeCells.Count; i++)
        {
            JsonElement outputs = codeCells[i].GetProperty("outputs");
            bool answerCell = Source(codeCells[i]).StartsWith("// Exercise", StringComparison.Ordinal);   // the reader's to fill in
            Assert.True(outputs.GetArrayLength() > 0 || i == 0 || answerCell, $"{name}: code cell {i + 1} has no committed output; run notebooks/run-all.sh");
            foreach (JsonElement output in outputs.EnumerateArray())
            {
                Assert.NotEqual("error", output.GetProperty("output_type").GetString());
                Assert.DoesNotContain("quick mode", output.ToString(), StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EndsWithTakeawaysAndExercisesOneOfWhichTheReaderCanCheck(string name)
    {
        using JsonDocument notebook = JsonDocument.Parse(File.ReadAllText(Notebooks.PathOf(name)));
        List<JsonElement> cells = notebook.RootElement.GetProperty("cells").EnumerateArray().ToList();
        string markdown = string.Join("\n", cells.Where(cell => cell.GetProperty("cell_type").GetString() == "markdown").Select(Source));
        Assert.Contains("## Key takeaways", markdown);
        Match exercises = Regex.Match(markdown, @"## Exercises\n(?<list>(?:.*\n?)*)");
        Assert.True(exercises.Success, $"{name} has no exercises");
        int count = Regex.Matches(exercises.Groups["list"].Value, @"^\d\. ", RegexOptions.Multiline).Count;
        Assert.InRange(count, 3, 5);
        JsonElement[] checks = cells.Where(cell => Source(cell).Contains("Exercise.Check(", StringComparison.Ordinal)).ToArray();
        Assert.True(checks.Length > 0, $"{name}: no exercise has a check cell");
        Assert.All(checks, check => Assert.Contains("not attempted yet", check.GetProperty("outputs").ToString()));
    }

    private static string Source(JsonElement cell) => cell.GetProperty("source").ValueKind == JsonValueKind.Array
        ? string.Concat(cell.GetProperty("source").EnumerateArray().Select(line => line.GetString()))
        : cell.GetProperty("source").GetString() ?? "";

    private static int Count(string text, string what) => Regex.Matches(text, Regex.Escape(what)).Count;

    /// <summary>The percentage printed right after <paramref name="prefix"/>, e.g. 97.12 from "… 97.12 %".</summary>
    private static double? Percent(string text, string prefix)
    {
        Match match = Regex.Match(text, Regex.Escape(prefix) + @"(\d+(\.\d+)?) ?%");
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }
}

[CollectionDefinition(nameof(NotebookCollection), DisableParallelization = true)]
public class NotebookCollection;
