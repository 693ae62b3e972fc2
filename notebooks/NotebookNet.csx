// NotebookNet setup: the one place that references the library. Every notebook's first cell is
//     #load "NotebookNet.csx"
// followed by its usings. Build the library once before (from the repository root):
//     dotnet build -c Release src/NotebookNet
#r "../src/NotebookNet/bin/Release/net10.0/NotebookNet.dll"
#r "../src/NotebookNet/bin/Release/net10.0/Microsoft.Data.Analysis.dll"

using Microsoft.DotNet.Interactive.Formatting;
using NotebookNet;
using NotebookNet.Tensors;
using NotebookNet.Training;
using NotebookNet.Visualization;

// How the library's types display: HTML for views, charts, histories and data frames.
Formatter.Register<HtmlView>((view, writer) => writer.Write(view.Html), "text/html");
Formatter.Register<Chart>((chart, writer) => writer.Write(chart.ToString()), "text/html");
Formatter.Register<InteractiveChart>((chart, writer) => writer.Write(chart.ToHtml()), "text/html");   // chart.Interactive(): plotly.js from notebooks/.plotly
Formatter.Register<TrainingHistory>((history, writer) => writer.Write(HtmlRenderer.History(history)), "text/html");
Formatter.Register<ConfusionMatrix>((confusion, writer) => writer.Write(HtmlRenderer.Confusion(confusion)), "text/html");
Formatter.Register<Microsoft.Data.Analysis.DataFrame>((frame, writer) => writer.Write(HtmlRenderer.DataFrame(frame)), "text/html");
Formatter.Register<GradientCheckResult>((result, writer) => writer.Write($"<pre>{System.Net.WebUtility.HtmlEncode(result.ToString())}</pre>"), "text/html");
Formatter.Register<ExerciseResult>((result, writer) => writer.Write($"<pre>{System.Net.WebUtility.HtmlEncode(result.Message)}</pre>"), "text/html");
Formatter.Register<Tensor>((tensor, writer) => writer.Write($"<pre>{System.Net.WebUtility.HtmlEncode(tensor.ToString())}</pre>"), "text/html");

/// <summary>A progress bar that updates in place while a long cell trains.</summary>
sealed class NotebookProgress : IProgress<TrainingProgress>
{
    private readonly string _title;
    private readonly Microsoft.DotNet.Interactive.Formatting.DisplayedValue _display;

    public NotebookProgress(string title)
    {
        _title = title;
        _display = Microsoft.DotNet.Interactive.Kernel.display(Show.Progress(0, title + ": starting"));
    }

    public void Report(TrainingProgress p) => _display.Update(Show.Progress(p.Fraction,
        $"{_title}: epoch {p.Epoch}/{p.Epochs}, batch {p.Batch}/{p.Batches}, loss {p.Loss:F4}, accuracy {p.Accuracy:P1}, {p.Elapsed.TotalSeconds:F1} s"));
}

/// <summary>Quick mode (NOTEBOOKNET_QUICK=1, set by the tests) trains on small subsets; readers get the full run.</summary>
static bool Quick => NotebookSettings.Quick;
