using Microsoft.Playwright;
using NotebookNet.Studio;

namespace NotebookNet.Tests.Studio;

/// <summary>
/// The studio's page in a real browser: Debian's Chromium driven by Playwright (its own browser download is not
/// used; <c>.ci/run</c> installs <c>chromium</c>). Digits are drawn as mouse strokes on the canvas, the way a reader
/// draws them. A failing test keeps a screenshot and names it.
/// </summary>
public class StudioBrowserTests(StudioFixture studio) : IClassFixture<StudioFixture>
{
    [Fact]
    public async Task DrawnDigitsAreAnsweredWithBarsAnInputAndSaliencyAndAnExampleIsSaved()
    {
        await using StudioServer server = await StudioServer.StartAsync(studio.Options);
        string url = server.Url;

        using IPlaywright playwright = await Playwright.CreateAsync();
        await using IBrowser browser = await Browser.LaunchAsync(playwright);
        IPage page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
        string screenshot = Path.Combine(Path.GetTempPath(), $"notebooknet-studio-failure-{Guid.NewGuid():N}.png");
        try
        {
            await page.GotoAsync(url);
            await page.WaitForSelectorAsync("#model option", new() { State = WaitForSelectorState.Attached });
            foreach ((int digit, (float X, float Y)[][] strokes) in Browser.Strokes)
            {
                await page.ClickAsync("#clear");
                await Browser.Draw(page, page.Locator("#pad"), strokes);
                await page.WaitForFunctionAsync($"document.getElementById('digit').textContent === '{digit}'", null, new() { Timeout = 10_000 });
                Assert.Equal(10, await page.Locator("#bars .bar").CountAsync());
                Assert.Equal(1, await page.Locator("#bars .bar.win").CountAsync());
                double inputInk = await page.EvaluateAsync<double>(
                    "() => { const d = document.getElementById('input').getContext('2d').getImageData(0, 0, 28, 28).data; let s = 0; for (let i = 0; i < d.length; i += 4) s += d[i]; return s / 255; }");
                Assert.True(inputInk > 20, $"the 28×28 preview of the {digit} is blank (ink {inputInk:F1})");
            }

            // "It was a 7" saves the drawing (the 0 now on the canvas) under 7/.
            string folder = Path.Combine(studio.Examples, "7");
            int before = Directory.Exists(folder) ? Directory.GetFiles(folder).Length : 0;
            await page.Locator("#labels button", new() { HasTextString = "7" }).ClickAsync();
            await page.WaitForFunctionAsync("document.getElementById('status').textContent.startsWith('saved as')");
            Assert.Equal(before + 1, Directory.GetFiles(folder).Length);
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
            throw new Xunit.Sdk.XunitException($"the studio page failed in Chromium; screenshot: {screenshot}");
        }
    }
}

/// <summary>Debian's Chromium driven by Playwright, and digits drawn on a canvas as a hand draws them.</summary>
public static class Browser
{
    /// <summary>Where Chromium is: <c>NOTEBOOKNET_CHROMIUM</c>, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string Chromium => Environment.GetEnvironmentVariable("NOTEBOOKNET_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Strokes of a digit as polylines in the unit square (x right, y down).</summary>
    public static readonly Dictionary<int, (float X, float Y)[][]> Strokes = new()
    {
        [1] = [[(0.50f, 0.15f), (0.50f, 0.85f)]],
        [7] = [[(0.25f, 0.18f), (0.75f, 0.18f), (0.42f, 0.85f)]],
        [0] = [Enumerable.Range(0, 33).Select(i => (0.5f + 0.22f * MathF.Sin(i * MathF.PI / 16), 0.5f - 0.32f * MathF.Cos(i * MathF.PI / 16))).ToArray()],
    };

    /// <summary>Launches Chromium headless (without its sandbox when running as root, where it refuses to start with it).</summary>
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Chromium), $"the browser tests need Chromium at {Chromium}: apt-get install chromium (or set NOTEBOOKNET_CHROMIUM)");
        return await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Args = Environment.UserName == "root" ? ["--no-sandbox"] : [],
        });
    }

    /// <summary>Draws <paramref name="strokes"/> on <paramref name="pad"/> (in the page or in a frame of it) with mouse strokes.</summary>
    public static async Task Draw(IPage page, ILocator pad, (float X, float Y)[][] strokes)
    {
        LocatorBoundingBoxResult box = (await pad.BoundingBoxAsync())!; // in the page's coordinates, frames included
        foreach ((float X, float Y)[] stroke in strokes)
        {
            await page.Mouse.MoveAsync(box.X + stroke[0].X * box.Width, box.Y + stroke[0].Y * box.Height);
            await page.Mouse.DownAsync();
            for (int i = 1; i < stroke.Length; i++)
            {
                // Several pointer moves per segment, as a hand makes them.
                for (int step = 1; step <= 4; step++)
                {
                    float t = step / 4f;
                    float x = stroke[i - 1].X + t * (stroke[i].X - stroke[i - 1].X), y = stroke[i - 1].Y + t * (stroke[i].Y - stroke[i - 1].Y);
                    await page.Mouse.MoveAsync(box.X + x * box.Width, box.Y + y * box.Height);
                }
            }
            await page.Mouse.UpAsync();
        }
    }
}
