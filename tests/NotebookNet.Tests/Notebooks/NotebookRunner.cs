using System.Text.Json;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace NotebookNet.Tests.Notebooks;

/// <summary>What one code cell produced.</summary>
public sealed record CellRun(int Number, string Code, IReadOnlyList<KernelEvent> Events)
{
    /// <summary>Every value displayed or returned, with its formatted outputs.</summary>
    public IEnumerable<DisplayEvent> Displays => Events.OfType<DisplayEvent>();

    /// <summary>The text/html of every display.</summary>
    public IEnumerable<string> Html => Displays.SelectMany(d => d.FormattedValues).Where(v => v.MimeType == "text/html").Select(v => v.Value);

    /// <summary>
    /// The text the cell showed, in order: what it wrote to the console, and the strings it displayed or returned
    /// (a <c>display($"…")</c> or a <c>Claim.That</c> sentence), each on a line.
    /// </summary>
    public string Output => string.Concat(Events.Select(e => e switch
    {
        StandardOutputValueProduced output => string.Concat(output.FormattedValues.Select(v => v.Value)),
        DisplayEvent { Value: string text } => text + "\n",
        _ => "",
    }));

    /// <summary>True when the cell's code contains <paramref name="marker"/>.</summary>
    public bool Contains(string marker) => Code.Contains(marker, StringComparison.Ordinal);
}

/// <summary>
/// Runs a notebook top to bottom in-process, in a C# kernel set up like the .NET Interactive one
/// (#r "nuget:", display helpers, value sharing), with the notebook's folder as the working directory.
/// The first failing cell stops the run with the notebook's name, the cell's number and the error.
/// </summary>
public static class NotebookRunner
{
    /// <summary>
    /// Runs the notebook's code cells in order in a fresh kernel. <paramref name="afterCell"/>, when given, sees each
    /// cell's run while the kernel still lives (a server the cell started is still serving) and returns false to stop there.
    /// </summary>
    public static async Task<IReadOnlyList<CellRun>> RunAsync(string path, Func<CellRun, Task<bool>>? afterCell = null)
    {
        string name = Path.GetFileName(path);
        List<string> cells = ReadCodeCells(path);
        string previousDirectory = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            var csharp = new CSharpKernel()
                .UseNugetDirective((kernel, references) =>
                {
                    kernel.AddAssemblyReferences(references.SelectMany(r => r.AssemblyPaths));
                    return Task.CompletedTask;
                })
                .UseKernelHelpers()
                .UseValueSharing();
            using var kernel = new CompositeKernel { csharp };
            kernel.DefaultKernelName = csharp.Name;

            var runs = new List<CellRun>();
            for (int i = 0; i < cells.Count; i++)
            {
                KernelCommandResult result = await kernel.SendAsync(new SubmitCode(cells[i]));
                var run = new CellRun(i + 1, cells[i], result.Events.ToList());
                string? error = result.Events.OfType<CommandFailed>().Select(f => f.Message)
                    .Concat(result.Events.OfType<ErrorProduced>().Select(e => e.Message)).FirstOrDefault();
                if (error is not null)
                {
                    throw new NotebookFailedException($"{name}, code cell {i + 1} failed: {error}\n--- cell ---\n{cells[i]}");
                }
                runs.Add(run);
                if (afterCell is not null && !await afterCell(run))
                {
                    break;
                }
            }
            return runs;
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
        }
    }

    /// <summary>The source of each code cell, in order.</summary>
    public static List<string> ReadCodeCells(string path)
    {
        using JsonDocument notebook = JsonDocument.Parse(File.ReadAllText(path));
        return notebook.RootElement.GetProperty("cells").EnumerateArray()
            .Where(cell => cell.GetProperty("cell_type").GetString() == "code")
            .Select(cell => string.Concat(cell.GetProperty("source").EnumerateArray().Select(line => line.GetString())))
            .ToList();
    }
}

public sealed class NotebookFailedException(string message) : Exception(message);
