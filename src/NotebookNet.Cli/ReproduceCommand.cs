using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Layers;
using NotebookNet.Training;

namespace NotebookNet.Cli;

/// <summary>reproduce: trains every published configuration and prints the accuracy table.</summary>
public static class ReproduceCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var recipes = new Option<string?>("--recipes") { Description = $"Comma-separated recipes (default: {string.Join(",", Recipe.Reproduced.Select(r => r.Name))})", HelpName = "a,b" };
        var seed = Options.Seed(1, "The seed of every run");
        var drawings = Options.OptionalWhole("--drawings", 0, 1_000_000, "With lenet5: grade it on N generated drawings (default 1000, quick 200; 0: none)");
        var quick = new Option<bool>("--quick") { Description = "6,000 training images and one epoch: checks the pipeline, not the numbers" };
        var checkpoints = new Option<string>("--checkpoints") { Description = "Where each network's checkpoints and finished model are kept until the table is printed", DefaultValueFactory = _ => Path.Combine("models", "checkpoints"), HelpName = "DIR" };
        var resume = new Option<bool>("--resume") { Description = "Continue a stopped or killed reproduce: networks finished are read back, one in progress resumes from its checkpoint" };
        var dataSet = Options.DataSet();
        var data = Options.Data();
        var command = new Command("reproduce", "Trains every published configuration and prints one table; with lenet5, also its accuracy on generated drawings. Ctrl+C stops with a checkpoint; --resume continues.")
        {
            recipes, seed, drawings, quick, checkpoints, resume, dataSet, data,
        };
        command.SetAction(parsed =>
        {
            bool isQuick = parsed.GetValue(quick);
            int seedValue = parsed.GetValue(seed);
            int drawingCount = parsed.GetValue(drawings) ?? (isQuick ? 200 : 1000);
            ImageSet set = ImageSet.Find(parsed.GetValue(dataSet)!);
            IReadOnlyList<Recipe> rows = set == ImageSet.Mnist ? Recipe.Reproduced : Recipe.FashionReproduced;
            IReadOnlyList<Recipe> chosen = parsed.GetValue(recipes) is string names
                ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(name =>
                    set == ImageSet.Mnist ? Options.FindRecipe(name)
                    : rows.FirstOrDefault(row => row.Name == Options.FindRecipe(name).Name)
                        ?? throw new UsageException($"{set.Name} has no published figure for {name}; its rows: {string.Join(", ", rows.Select(row => row.Name))}")).ToList()
                : rows;
            var (trainSplit, testSplit) = context.Load(set, parsed.GetValue(data));
            if (set != ImageSet.Mnist)
            {
                drawingCount = 0; // the generated drawings are digits
            }
            using var stop = new InterruptSignal();
            try
            {
                string checkpointFolder = set == ImageSet.Mnist ? parsed.GetValue(checkpoints)! : Path.Combine(parsed.GetValue(checkpoints)!, set.Key);
                return Reproduce(context, set, chosen, seedValue, drawingCount, isQuick, trainSplit, testSplit,
                    checkpointFolder, parsed.GetValue(resume), stop.Token);
            }
            catch (OperationCanceledException stopped) when (stop.Received)
            {
                context.Error.WriteLine($"notebooknet: {stopped.Message}");
                context.Error.WriteLine("to continue, run the same command with --resume");
                return 130;
            }
        });
        return command;
    }

    private static int Reproduce(CliContext context, ImageSet set, IReadOnlyList<Recipe> recipes, int seed, int drawings, bool quick, MnistSplit trainSplit, MnistSplit testSplit,
        string checkpoints, bool resume, CancellationToken cancellation)
    {
        var written = new List<string>();
        var table = CliContext.Table("recipe", "published", "ours", "floor", "reached", "seconds");
        ShowTraining show = (title, run) => context.WithTrainingProgress(title, progress => run(progress));
        var results = new List<ReproducedResult>();
        foreach (Recipe recipe in recipes)
        {
            ReproducedResult result = Reproduction.Run(recipe, trainSplit, testSplit, seed, quick, show, context.Error.WriteLine,
                checkpoints, resume, cancellation);
            written.AddRange(Enumerable.Range(seed, recipe.EnsembleSize)
                .Select(member => Path.Combine(checkpoints, $"{recipe.Name}-seed{member}{(quick ? "-quick" : "")}.nnw")));
            results.Add(result);
            CliContext.AddRow(table, recipe.Name, recipe.Published, Percent(result.Accuracy), recipe.Floor.ToString("P1", CultureInfo.InvariantCulture),
                quick ? "quick" : result.Reached ? "yes" : "NO", result.Seconds.ToString("F1", CultureInfo.InvariantCulture));
        }
        context.Output.WriteLine(quick
            ? $"Quick mode: {Reproduction.QuickImages:N0} training images, 1 epoch; the floors apply to full runs only."
            : $"{set.Name} test set (10,000 images), seed {seed}.");
        context.Write(table);
        foreach (Recipe recipe in recipes)
        {
            context.WriteWrapped($"{recipe.Name}: {recipe.Description}. Published: {recipe.Source}.");
        }
        bool allPass = quick || results.All(result => result.Reached);
        if (drawings > 0 && results.FirstOrDefault(result => result.Recipe.Name == Recipe.LeNet5.Name) is ReproducedResult lenet)
        {
            DrawingsResult graded = Reproduction.Drawings(lenet.Model, lenet.Accuracy, trainSplit, testSplit, drawings, seed, quick, show, cancellation);
            WriteDrawings(context, graded, quick);
            allPass &= quick || graded.Reached;
        }
        foreach (string finished in written.Where(File.Exists))
        {
            File.Delete(finished); // the table is printed: the networks kept for a resume are done with
        }
        if (Directory.Exists(checkpoints) && !Directory.EnumerateFileSystemEntries(checkpoints).Any())
        {
            Directory.Delete(checkpoints);
        }
        return allPass ? 0 : 1;
    }

    private static void WriteDrawings(CliContext context, DrawingsResult graded, bool quick)
    {
        var table = CliContext.Table("lenet5", "MNIST test set", "drawings, resized only", "drawings, preprocessed", "floor on drawings");
        string floor = $"{Reproduction.DrawingsFloor.ToString("P0", CultureInfo.InvariantCulture)} {(quick ? "quick" : graded.Reached ? "yes" : "NO")}";
        CliContext.AddRow(table, "augmented training", Percent(graded.AugmentedMnist), Percent(graded.Augmented.ResizedOnly), Percent(graded.Augmented.Preprocessed), floor);
        CliContext.AddRow(table, "no augmentation", Percent(graded.PlainMnist), Percent(graded.Plain.ResizedOnly), Percent(graded.Plain.Preprocessed), "");
        context.Output.WriteLine();
        context.WriteWrapped($"Generated drawings: {graded.Count} digits (seed {Reproduction.DrawingsSeed}) in {graded.Fonts} handwriting fonts, random size, " +
            $"position, stroke, slant and paper; {graded.NotFound} without a digit found (counted wrong); {graded.Seconds:F0} s. " +
            "Resized only: squeezed into 28×28 as a first attempt would; preprocessed: through DigitPreprocessor, MNIST's recipe.");
        context.Write(table);
    }

    private static string Percent(float value) => value.ToString("P2", CultureInfo.InvariantCulture);
}
