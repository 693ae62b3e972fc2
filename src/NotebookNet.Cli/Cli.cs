using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Serialization;
using NotebookNet.Training;
using Spectre.Console;

namespace NotebookNet.Cli;

/// <summary>The notebooknet command: train, evaluate, reproduce, bench, predict, drawings.</summary>
public static class Cli
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        usage: notebooknet <command> [options]

        commands:
          train      --recipe NAME [--epochs N] [--learning-rate X] [--batch-size N] [--seed N]
                     [--limit N] [--output FILE] [--data DIR]
                     Trains a recipe on MNIST and saves the model (default: models/NAME.nnw).
          evaluate   MODEL [--data DIR]
                     Test accuracy, per-class accuracy and confusion matrix of a saved model.
          reproduce  [--recipes a,b] [--seed N] [--drawings N] [--quick] [--data DIR]
                     Trains every published configuration and prints one table; with lenet5 among
                     them, also its accuracy on N generated drawings (default 1000; 0: none).
          predict    IMAGE|FOLDER [--model FILE] [--csv FILE]
                     The digit in a picture (PNG, JPEG, BMP, GIF, WebP), its probability and the top
                     three; for a folder a table and a CSV file (default predictions.csv).
                     Default model: models/lenet5.nnw.
          drawings   [--count N] [--seed N] [--output DIR]
                     Writes generated drawings of digits as DIR/<label>/<n>.png (default drawings/).
          bench      [--workloads W1,W2,W3,W4,W5] [--runs N] [--threads N] [--json] [--data DIR]
                     Seconds per epoch and images per second of the benchmark workloads.

        recipes: rashid, mlp256, best-mlp, seed-cnn, lenet5 (these five are reproduce's default), w1, best-cnn, best-cnn-x3
        MNIST is read from --data, else $NOTEBOOKNET_MNIST, else data/mnist, else downloaded.
        """;

    /// <summary>Runs one command; returns the process exit code (0 ok, 1 failure, 2 usage error).</summary>
    public static int Run(string[] args, TextWriter? output = null)
    {
        output ??= Console.Out;
        try
        {
            if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
            {
                output.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            var arguments = new Arguments(args.Skip(1), "quick", "json");
            return args[0] switch
            {
                "train" => Commands.Train(arguments, output),
                "evaluate" => Commands.Evaluate(arguments, output),
                "reproduce" => Commands.Reproduce(arguments, output),
                "bench" => Bench.Run(arguments, output),
                "predict" => Predict.Run(arguments, output),
                "drawings" => Commands.Drawings(arguments, output),
                _ => throw new UsageException($"unknown command \"{args[0]}\""),
            };
        }
        catch (UsageException error)
        {
            Console.Error.WriteLine($"notebooknet: {error.Message}\n");
            Console.Error.WriteLine(Usage);
            return 2;
        }
        catch (Exception error) when (error is IOException or InvalidDataException or UnauthorizedAccessException
            or TrainingDivergedException or ArgumentException or OperationCanceledException or InvalidOperationException)
        {
            Console.Error.WriteLine($"notebooknet: {error.Message}");
            return 1;
        }
    }

    /// <summary>Loads MNIST from the --data option or the usual places, showing download progress.</summary>
    public static (MnistSplit Train, MnistSplit Test) LoadMnist(Arguments arguments)
    {
        string? folder = arguments.Text("data");
        var progress = new Progress<DownloadProgress>(p =>
        {
            if (p.TotalBytes is long total && (p.Bytes == total || p.Bytes % (1 << 22) < (1 << 16)))
            {
                Console.Error.WriteLine($"downloading {p.File}.gz: {p.Bytes * 100 / total} %");
            }
        });
        return Mnist.Load(folder, progress);
    }

    /// <summary>A progress bar for training when the terminal can show one, else a line per epoch.</summary>
    public static T WithTrainingProgress<T>(string title, Func<IProgress<TrainingProgress>, T> run)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            int lastEpoch = 0;
            return run(new SynchronousProgress<TrainingProgress>(p =>
            {
                if (p.Batch == p.Batches && p.Epoch != lastEpoch)
                {
                    lastEpoch = p.Epoch;
                    Console.Error.WriteLine($"{title}: epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4} train {p.Accuracy:P2} ({p.Elapsed.TotalSeconds:F1} s)");
                }
            }));
        }
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(Markup.Escape(title), maxValue: 1.0);
                result = run(new SynchronousProgress<TrainingProgress>(p =>
                {
                    task.Value = p.Fraction;
                    task.Description = Markup.Escape($"{title} epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4} acc {p.Accuracy:P1}");
                }));
            });
        return result;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, at once.</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => report(value);
}
