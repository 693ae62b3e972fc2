using System.Globalization;
using System.Net;
using System.Text;
using NotebookNet.Layers;
using NotebookNet.Tensors;
using NotebookNet.Training;

using NotebookNet.Preprocessing;

namespace NotebookNet.Visualization;

/// <summary>
/// HTML renderings for notebooks: digits as images, batches as labelled grids, models as tables.
/// Plain HTML with inline PNGs, so outputs show in VS Code, Jupyter and on GitHub alike.
/// Notebooks get them through the formatters that <c>notebooks/NotebookNet.csx</c> registers.
/// </summary>
public static class HtmlRenderer
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>The values of an image scaled to bytes: the smallest value black, the largest white.</summary>
    public static byte[] ToGrayBytes(ReadOnlySpan<float> values)
    {
        float min = TensorPrimitives.Min(values), max = TensorPrimitives.Max(values);
        float scale = max > min ? 255f / (max - min) : 0f;
        var bytes = new byte[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bytes[i] = (byte)Math.Clamp(MathF.Round((values[i] - min) * scale), 0f, 255f);
        }
        return bytes;
    }

    // Viewers such as GitHub's notebook renderer strip style attributes and scripts. Nothing below depends on them:
    // pictures are enlarged inside the PNG (sharp pixels without image-rendering), frames are drawn into it, grids are
    // tables, and colours are bgcolor attributes as well as styles.

    /// <summary>An image tag for a 2-D picture (h, w), or a square one stored flat (h·w,), enlarged <paramref name="scale"/> times.</summary>
    /// <exception cref="ArgumentException">The tensor is not an image.</exception>
    public static string Image(Tensor image, int scale = 3, string? title = null)
    {
        (int height, int width) = ImageSize(image);
        byte[] png = Png.EncodeGray(ToGrayBytes(image.Span), width, height, scale);
        string titleAttribute = title is null ? "" : $" title=\"{WebUtility.HtmlEncode(title)}\"";
        return $"<img class=\"nbnet-image\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" width=\"{width * scale}\" height=\"{height * scale}\"{titleAttribute}/>";
    }

    /// <summary>
    /// An image tag for a picture of any size, 0 = black and 1 = white (not stretched), shown with its longer side at
    /// about <paramref name="side"/> pixels inside a gray frame: small pictures are enlarged by repeating pixels, larger
    /// ones are averaged down to that size so the notebook stays small.
    /// </summary>
    public static string Picture(GrayImage picture, int side = 140)
    {
        int longer = Math.Max(picture.Width, picture.Height);
        int scale = Math.Max(1, side / longer);
        GrayImage shown = picture;
        if (longer > side)
        {
            (int width, int height) = DigitPreprocessor.Fit(picture.Width, picture.Height, side);
            shown = picture.Resize(width, height);
        }
        byte[] framed = Framed(shown.ToBytes(), shown.Width, shown.Height, scale, out int framedWidth, out int framedHeight);
        byte[] png = Png.EncodeGray(framed, framedWidth, framedHeight);
        return $"<img class=\"nbnet-picture\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" width=\"{framedWidth}\" height=\"{framedHeight}\"/>";
    }

    /// <summary>Pictures side by side, each with a caption under it.</summary>
    public static string Pictures(IEnumerable<(GrayImage Picture, string Caption)> pictures, int side = 140, int columns = 6) =>
        GridTable(pictures.Select(item => (Picture(item.Picture, side), item.Caption)), columns);

    /// <summary>A grid of images (N, h·w) or (N, 1, h, w) with a caption under each.</summary>
    public static string Grid(Tensor images, IReadOnlyList<string> captions, int columns = 10, int scale = 2)
    {
        int count = images.Size(0);
        int length = images.Length / Math.Max(1, count);
        return GridTable(Enumerable.Range(0, count).Select(i =>
            (Image(new Tensor(images.Data.AsSpan(i * length, length).ToArray(), length), scale), i < captions.Count ? captions[i] : "")),
            Math.Min(columns, Math.Max(1, count)));
    }

    /// <summary>Cells of HTML with a caption under each, <paramref name="columns"/> to a row, as a table (laid out without CSS).</summary>
    private static string GridTable(IEnumerable<(string Html, string Caption)> cells, int columns)
    {
        var html = new StringBuilder("<table class=\"nbnet-grid\" cellspacing=\"4\" cellpadding=\"0\" border=\"0\">");
        int column = 0;
        foreach ((string cell, string caption) in cells)
        {
            html.Append(column == 0 ? "<tr>" : "")
                .Append("<td align=\"center\" valign=\"bottom\">").Append(cell)
                .Append("<br/><small><code>").Append(WebUtility.HtmlEncode(caption)).Append("</code></small></td>");
            column = (column + 1) % columns;
            html.Append(column == 0 ? "</tr>" : "");
        }
        return html.Append(column == 0 ? "" : "</tr>").Append("</table>").ToString();
    }

    /// <summary>The picture enlarged <paramref name="scale"/> times with a one-pixel gray frame around it.</summary>
    private static byte[] Framed(byte[] gray, int width, int height, int scale, out int framedWidth, out int framedHeight)
    {
        const byte Frame = 204;
        framedWidth = width * scale + 2;
        framedHeight = height * scale + 2;
        var framed = new byte[framedWidth * framedHeight];
        Array.Fill(framed, Frame);
        for (int y = 0; y < height * scale; y++)
        {
            for (int x = 0; x < width * scale; x++)
            {
                framed[(y + 1) * framedWidth + x + 1] = gray[y / scale * width + x / scale];
            }
        }
        return framed;
    }

    /// <summary>A table of a model's layers: output shape and parameter count of each, for one example of <paramref name="exampleShape"/>.</summary>
    public static string ModelSummary(Sequential model, params int[] exampleShape)
    {
        var rows = new List<string[]>();
        IReadOnlyList<int> shape = [1, .. exampleShape];
        foreach (ILayer layer in model.Layers)
        {
            shape = layer.OutputShape(shape);
            long parameters = layer.Parameters.Sum(p => (long)p.Value.Length);
            rows.Add([layer.Spec.ToString(), Tensor.FormatShape(shape.Skip(1).ToArray()), parameters.ToString("N0", Invariant)]);
        }
        rows.Add(["total", "", model.ParameterCount.ToString("N0", Invariant)]);
        return Table(["layer", "output shape (per example)", "parameters"], rows);
    }

    /// <summary>A training history as a table: epoch, loss, running train accuracy, validation (when measured) and test accuracy, seconds.</summary>
    public static string History(TrainingHistory history)
    {
        bool validated = history.Any(e => e.ValidationAccuracy is not null);
        string Percent(float? value) => value?.ToString("P2", Invariant) ?? "-";
        string[] header = validated
            ? ["epoch", "loss", "train accuracy (running)", "validation accuracy", "test accuracy", "seconds", "learning rate"]
            : ["epoch", "loss", "train accuracy (running)", "test accuracy", "seconds", "learning rate"];
        return Table(header, history.Select(e => (IReadOnlyList<string>)new[]
        {
            e.Epoch.ToString(Invariant), e.Loss.ToString("F4", Invariant), Percent(e.TrainAccuracy),
            validated ? Percent(e.ValidationAccuracy) : null, Percent(e.TestAccuracy), e.Seconds.ToString("F2", Invariant),
            e.LearningRate.ToString("G3", Invariant),
        }.OfType<string>().ToArray()).ToList());
    }

    /// <summary>A <see cref="Microsoft.Data.Analysis.DataFrame"/> as a table (the first <paramref name="maxRows"/> rows).</summary>
    public static string DataFrame(Microsoft.Data.Analysis.DataFrame frame, int maxRows = 50)
    {
        string Cell(object? value) => value switch
        {
            float f => f.ToString("G5", Invariant),
            double d => d.ToString("G5", Invariant),
            null => "",
            _ => Convert.ToString(value, Invariant) ?? "",
        };
        var rows = Enumerable.Range(0, (int)Math.Min(frame.Rows.Count, maxRows))
            .Select(i => (IReadOnlyList<string>)frame.Columns.Select(column => Cell(column[i])).ToArray());
        string table = Table(frame.Columns.Select(c => c.Name).ToArray(), rows);
        return frame.Rows.Count > maxRows ? table + $"<p>… {frame.Rows.Count - maxRows} more rows</p>" : table;
    }

    /// <summary>A confusion matrix as a table whose cells are shaded by count (a heatmap that needs no script).</summary>
    public static string Confusion(ConfusionMatrix confusion)
    {
        int max = confusion.Counts.Cast<int>().Max();
        var html = new StringBuilder("<table class=\"nbnet-confusion\" style=\"border-collapse: collapse; font: 12px monospace;\"><tr><th>actual \\ predicted</th>");
        for (int p = 0; p < confusion.Classes; p++)
        {
            html.Append(Invariant, $"<th style=\"padding: 2px 6px;\">{p}</th>");
        }
        html.Append("<th>accuracy</th></tr>");
        float[] perClass = confusion.PerClassAccuracy;
        for (int a = 0; a < confusion.Classes; a++)
        {
            html.Append(Invariant, $"<tr><th>{a}</th>");
            for (int p = 0; p < confusion.Classes; p++)
            {
                int count = confusion.Counts[a, p];
                // Off-diagonal counts are few: a square-root scale keeps them visible.
                double shade = max == 0 ? 0 : Math.Sqrt((double)count / max);
                string colour = a == p ? Blend((33, 102, 172), shade) : Blend((214, 96, 77), Math.Min(1, shade * 3));
                html.Append(Invariant, $"<td align=\"right\" bgcolor=\"{colour}\" style=\"padding: 2px 6px; background: {colour};\">{count}</td>");
            }
            html.Append(Invariant, $"<td style=\"padding: 2px 6px;\">{perClass[a]:P1}</td></tr>");
        }
        return html.Append("</table>").ToString();
    }

    /// <summary>The colour <paramref name="amount"/> of the way from white to <paramref name="colour"/>, as #rrggbb.</summary>
    private static string Blend((int R, int G, int B) colour, double amount)
    {
        int Mix(int channel) => (int)Math.Round(255 + (channel - 255) * amount);
        return $"#{Mix(colour.R):x2}{Mix(colour.G):x2}{Mix(colour.B):x2}";
    }

    /// <summary>A plain table with a header row.</summary>
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var html = new StringBuilder("<table class=\"nbnet-table\"><thead><tr>");
        foreach (string cell in header)
        {
            html.Append("<th>").Append(WebUtility.HtmlEncode(cell)).Append("</th>");
        }
        html.Append("</tr></thead><tbody>");
        foreach (IReadOnlyList<string> row in rows)
        {
            html.Append("<tr>");
            foreach (string cell in row)
            {
                html.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            }
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    private static (int Height, int Width) ImageSize(Tensor image)
    {
        if (image.Rank >= 2 && image.Shape.Take(image.Rank - 2).All(size => size == 1))
        {
            return (image.Size(-2), image.Size(-1));
        }
        int side = (int)Math.Round(Math.Sqrt(image.Length));
        if (side * side != image.Length || side == 0)
        {
            throw new ArgumentException($"cannot show a tensor of shape {image.ShapeText} as an image: expected (h, w) or a square number of values");
        }
        return (side, side);
    }
}
