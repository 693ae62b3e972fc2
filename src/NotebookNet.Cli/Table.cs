using System.Text;

namespace NotebookNet.Cli;

/// <summary>Plain-text tables, readable in a terminal and in a CI log.</summary>
public static class Table
{
    /// <summary>Renders rows under a header with columns padded to the widest cell.</summary>
    public static string Render(IReadOnlyList<string> header, IReadOnlyList<string[]> rows)
    {
        int[] widths = header.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells) =>
            text.AppendLine(string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        Line(header);
        text.AppendLine(string.Join("-|-", widths.Select(w => new string('-', w))));
        foreach (string[] row in rows)
        {
            Line(row);
        }
        return text.ToString();
    }
}
