using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Preprocessing;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Visualization;

/// <summary>A piece of HTML that notebooks display as it is (the setup registers its formatter).</summary>
public sealed record HtmlView(string Html)
{
    /// <inheritdoc/>
    public override string ToString() => Html;
}

/// <summary>
/// What notebooks call to show things: each returns an <see cref="HtmlView"/> that displays as HTML.
/// Introduced in notebook 01.
/// </summary>
public static class Show
{
    /// <summary>One digit (784 values or 28×28) as an image, with its label when given.</summary>
    public static HtmlView Digit(Tensor image, int? label = null, int scale = 4) =>
        new(HtmlRenderer.Image(image, scale) + (label is int l ? $"<br/><code>{l}</code>" : ""));

    /// <summary>The first <paramref name="count"/> examples of a dataset as a grid, captioned with their labels.</summary>
    public static HtmlView Digits(Dataset data, int count = 20, int columns = 10) =>
        Digits(data, Enumerable.Range(0, Math.Min(count, data.Count)).ToArray(), i => data.Labels[i].ToString(System.Globalization.CultureInfo.InvariantCulture), columns);

    /// <summary>The examples at <paramref name="indices"/> as a grid with a caption from <paramref name="caption"/>.</summary>
    public static HtmlView Digits(Dataset data, IReadOnlyList<int> indices, Func<int, string> caption, int columns = 10)
    {
        var images = new Tensor(indices.Count, data.ExampleLength);
        data.Gather(indices.ToArray(), images, new int[indices.Count]);
        return new(HtmlRenderer.Grid(images, indices.Select(caption).ToArray(), columns));
    }

    /// <summary>Rows of a weight matrix (out, h·w) as images: what each unit of a first layer looks for.</summary>
    public static HtmlView Weights(Tensor weight, int count = 20, int columns = 10)
    {
        int rows = Math.Min(count, weight.Size(0));
        var images = new Tensor(weight.Data.AsSpan(0, rows * weight.Size(1)).ToArray(), rows, weight.Size(1));
        return new(HtmlRenderer.Grid(images, Enumerable.Range(0, rows).Select(i => $"unit {i}").ToArray(), columns));
    }

    /// <summary>
    /// Images side by side: each row of (N, h·w), or each (h, w) plane of (N, C, h, w) or (C, h, w) — filters, feature maps.
    /// </summary>
    public static HtmlView Images(Tensor images, IReadOnlyList<string>? captions = null, int columns = 8, int scale = 3)
    {
        int planeLength = images.Rank >= 3 ? images.Size(-1) * images.Size(-2) : images.Size(-1);
        int count = images.Length / planeLength;
        return new(HtmlRenderer.Grid(images.Reshape(count, planeLength), captions ?? Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), columns, scale));
    }

    /// <summary>Pictures of any size (0 = black, 1 = white) side by side with captions. Introduced in notebook 07.</summary>
    public static HtmlView Pictures(IEnumerable<(GrayImage Picture, string Caption)> pictures, int side = 140, int columns = 6) =>
        new(HtmlRenderer.Pictures(pictures, side, columns));

    /// <summary>Every step of a preprocessing run (kept with <c>keepSteps: true</c>), left to right.</summary>
    /// <exception cref="ArgumentException">The run kept no steps: an empty grid would show nothing.</exception>
    public static HtmlView Steps(PreprocessedDigit digit, int side = 120) => digit.Steps.Count == 0
        ? throw new ArgumentException("this preprocessing run kept no steps: process the picture with keepSteps: true", nameof(digit))
        : new(HtmlRenderer.Pictures(digit.Steps.Select(step => (step.Image, $"{step.Name}: {step.Description}")), side, digit.Steps.Count));

    /// <summary>A model's layers with output shapes and parameter counts.</summary>
    public static HtmlView Model(Sequential model, params int[] exampleShape) => new(HtmlRenderer.ModelSummary(model, exampleShape));

    /// <summary>A confusion matrix as a shaded table.</summary>
    public static HtmlView Confusion(ConfusionMatrix confusion) => new(HtmlRenderer.Confusion(confusion));

    /// <summary>A table from a header and rows of values.</summary>
    public static HtmlView Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<object>> rows) =>
        new(HtmlRenderer.Table(header, rows.Select(row => (IReadOnlyList<string>)row.Select(FormatCell).ToArray())));

    /// <summary>
    /// A display that a cell updates as it goes (a table filling in row by row): marked so that a committed notebook,
    /// whose runner records every update as a new output, keeps only its last state. Introduced in notebook 09.
    /// </summary>
    public static HtmlView Live(HtmlView view) => new($"<div class=\"nbnet-live\">{view.Html}</div>");

    /// <summary>A progress bar at <paramref name="fraction"/> (0..1) with a line of text.</summary>
    public static HtmlView Progress(double fraction, string text)
    {
        double percent = Math.Clamp(fraction, 0, 1) * 100;
        return new(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"<div class=\"nbnet-progress\"><progress value=\"{percent:F1}\" max=\"100\"></progress> <code>{System.Net.WebUtility.HtmlEncode(text)}</code></div>"));
    }

    private static string FormatCell(object value) => value switch
    {
        float f => f.ToString("G5", System.Globalization.CultureInfo.InvariantCulture),
        double d => d.ToString("G5", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
