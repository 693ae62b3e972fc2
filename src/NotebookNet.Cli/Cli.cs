using System.CommandLine;
using System.CommandLine.Parsing;
using System.Runtime.InteropServices;
using NotebookNet.Data;
using NotebookNet.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace NotebookNet.Cli;

/// <summary>
/// The notebooknet command. Each command is a class of its own with a <c>Create</c> method; adding one means writing that
/// class and adding it to <see cref="Commands"/>.
/// </summary>
public static class Cli
{
    /// <summary>Every command, in the order help lists them.</summary>
    public static IReadOnlyList<Func<CliContext, Command>> Commands { get; } =
    [
        TrainCommand.Create,
        EvaluateCommand.Create,
        ReproduceCommand.Create,
        PredictCommand.Create,
        DrawingsCommand.Create,
        BenchCommand.Create,
        ServeCommand.Create,
        ExportCommand.Create,
    ];

    /// <summary>The root command with every command under it, writing to <paramref name="context"/>.</summary>
    public static RootCommand CreateRootCommand(CliContext context)
    {
        var root = new RootCommand("NotebookNet: train, evaluate, benchmark and query digit networks built from scratch.");
        foreach (Func<CliContext, Command> create in Commands)
        {
            root.Subcommands.Add(create(context));
        }
        return root;
    }

    /// <summary>
    /// Runs one command line; returns the exit code: 0 ok, 1 failure (a message names it), 2 usage error (the message and
    /// the help of the command).
    /// </summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var context = new CliContext(output ?? Console.Out, error ?? Console.Error);
        RootCommand root = CreateRootCommand(context);
        ParseResult parsed = root.Parse(args);
        var invocation = new InvocationConfiguration { Output = context.Output, Error = context.Error, EnableDefaultExceptionHandler = false };
        if (parsed.Errors.Count > 0)
        {
            return UsageError(parsed, context, parsed.Errors[0].Message.TrimEnd('.') + Suggestion(parsed));
        }
        try
        {
            return parsed.Invoke(invocation);
        }
        catch (UsageException usage)
        {
            return UsageError(parsed, context, usage.Message);
        }
        catch (Exception failure) when (failure is IOException or InvalidDataException or UnauthorizedAccessException
            or TrainingDivergedException or ArgumentException or OperationCanceledException or InvalidOperationException or NotSupportedException)
        {
            context.Error.WriteLine($"notebooknet: {failure.Message}");
            return 1;
        }
    }

    private static int UsageError(ParseResult parsed, CliContext context, string message)
    {
        context.Error.WriteLine($"notebooknet: {message}");
        context.Error.WriteLine();
        // The help of the command the words were meant for, not of every command.
        Command command = parsed.CommandResult.Command;
        string[] helpArgs = command is RootCommand ? ["--help"] : [.. CommandPath(parsed.CommandResult), "--help"];
        CreateRootCommand(context).Parse(helpArgs).Invoke(new InvocationConfiguration { Output = context.Error, Error = context.Error });
        return 2;
    }

    private static IEnumerable<string> CommandPath(CommandResult result)
    {
        var names = new Stack<string>();
        for (SymbolResult? r = result; r is CommandResult c && c.Command is not RootCommand; r = r.Parent)
        {
            names.Push(c.Command.Name);
        }
        return names;
    }

    /// <summary>" did you mean --epochs?" for a misspelt option or command, else nothing.</summary>
    private static string Suggestion(ParseResult parsed)
    {
        Command command = parsed.CommandResult.Command;
        IEnumerable<string> known = command.Options.SelectMany(o => o.Aliases.Append(o.Name))
            .Concat(command.Subcommands.Select(c => c.Name));
        foreach (string token in parsed.UnmatchedTokens)
        {
            if (Spelling.Closest(token, known) is string near)
            {
                return $"; did you mean {near}?";
            }
        }
        return "";
    }
}

/// <summary>A usage error found by a command: printed with the command's help, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Where a command writes, and the helpers commands share: MNIST, progress, tables.</summary>
/// <param name="Output">Results: tables, accuracies, JSON.</param>
/// <param name="Error">Progress and messages, so results can be piped.</param>
public sealed record CliContext(TextWriter Output, TextWriter Error)
{
    /// <summary>The widest a table may be: it fits a 100-column terminal.</summary>
    public const int TableWidth = 100;

    /// <summary>Writes a table to <paramref name="writer"/> (default <see cref="Output"/>), at most <see cref="TableWidth"/> wide.</summary>
    public void Write(IRenderable renderable, TextWriter? writer = null)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer ?? Output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = TableWidth;
        console.Write(renderable);
    }

    /// <summary>Writes <paramref name="text"/> wrapped to <see cref="TableWidth"/> columns.</summary>
    public void WriteWrapped(string text) => Write(new Text(text + "\n"));

    /// <summary>A table with these column titles (Markdown layout: readable in a terminal, a log and README), ready for rows of text.</summary>
    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Markdown);
        foreach (string column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }
        return table;
    }

    /// <summary>Adds a row of plain text (no markup) to <paramref name="table"/>.</summary>
    public static void AddRow(Table table, params string[] cells) =>
        table.AddRow(cells.Select(cell => (IRenderable)new Text(cell)).ToArray());

    /// <summary>Loads MNIST from <paramref name="folder"/> or the usual places, showing download progress on <see cref="Error"/>.</summary>
    public (MnistSplit Train, MnistSplit Test) LoadMnist(string? folder) => Load(ImageSet.Mnist, folder);

    /// <summary>Loads <paramref name="set"/> from <paramref name="folder"/> or the usual places, showing download progress on <see cref="Error"/>.</summary>
    public (MnistSplit Train, MnistSplit Test) Load(ImageSet set, string? folder)
    {
        var progress = new SynchronousProgress<DownloadProgress>(p =>
        {
            if (p.TotalBytes is long total && (p.Bytes == total || p.Bytes % (1 << 22) < (1 << 16)))
            {
                Error.WriteLine($"downloading {p.File}.gz: {p.Bytes * 100 / total} %");
            }
        });
        return set.Load(folder, progress);
    }

    /// <summary>A progress bar on the terminal's error stream when it can show one, else a line per epoch.</summary>
    public T WithTrainingProgress<T>(string title, Func<IProgress<TrainingProgress>, T> run)
    {
        bool terminal = ReferenceEquals(Error, Console.Error) && !Console.IsErrorRedirected;
        if (!terminal)
        {
            int lastEpoch = 0;
            return run(new SynchronousProgress<TrainingProgress>(p =>
            {
                if (p.Batch == p.Batches && p.Epoch != lastEpoch)
                {
                    lastEpoch = p.Epoch;
                    Error.WriteLine($"{title}: epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4} train {p.Accuracy:P2} ({p.Elapsed.TotalSeconds:F1} s)");
                }
            }));
        }
        T result = default!;
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(progressContext =>
            {
                ProgressTask task = progressContext.AddTask(Markup.Escape(title), maxValue: 1.0);
                result = run(new SynchronousProgress<TrainingProgress>(p =>
                {
                    task.Value = p.Fraction;
                    task.Description = Markup.Escape($"{title} epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4} acc {p.Accuracy:P1}");
                }));
            });
        return result;
    }
}

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM turned into a cancellation while it lives: the first asks the work to stop where it can
/// save what it has (a training run stops at the end of its batch and writes a checkpoint); a second quits at once.
/// </summary>
public sealed class InterruptSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _interrupt, _terminate;

    /// <summary>Starts listening for the signals.</summary>
    public InterruptSignal()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>Whether a signal came.</summary>
    public bool Received => _stop.IsCancellationRequested;

    private void Stop(PosixSignalContext signal)
    {
        if (!_stop.IsCancellationRequested)
        {
            signal.Cancel = true;
            _stop.Cancel();
        }
    }

    /// <summary>Stops listening: the signals end the process again.</summary>
    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _stop.Dispose();
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, at once.</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => report(value);
}

/// <summary>"Did you mean" for misspelt names.</summary>
public static class Spelling
{
    /// <summary>The known word closest to <paramref name="word"/>, if it is at most two edits away.</summary>
    public static string? Closest(string word, IEnumerable<string> known) =>
        known.Select(candidate => (candidate, distance: Distance(word.ToLowerInvariant(), candidate.ToLowerInvariant())))
            .Where(pair => pair.distance <= 2 && pair.distance < Math.Max(word.Length, 1))
            .OrderBy(pair => pair.distance)
            .Select(pair => pair.candidate)
            .FirstOrDefault();

    /// <summary>The Levenshtein distance: insertions, deletions and substitutions.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
