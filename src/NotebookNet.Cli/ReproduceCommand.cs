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
    /// <summary>The seed of the drawings <c>reproduce</c> generates: fixed, so every run grades the same pictures.</summary>
    public const int DrawingsSeed = 2026;

    /// <summary>The least accuracy on generated drawings for the augmented model with preprocessing.</summary>
    public const float DrawingsFloor = 0.95f;

    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var recipes = new Option<string?>("--recipes") { Description = $"Comma-separated recipes (default: {string.Join(",", Recipe.Reproduced.Select(r => r.Name))})", HelpName = "a,b" };
        var seed = Options.Seed(1, "The seed of every run");
        var drawings = Options.OptionalWhole("--drawings", 0, 1_000_000, "With lenet5: grade it on N generated drawings (default 1000, quick 200; 0: none)");
        var quick = new Option<bool>("--quick") { Description = "6,000 training images and one epoch: checks the pipeline, not the numbers" };
        var data = Options.Data();
        var command = new Command("reproduce", "Trains every published configuration and prints one table; with lenet5, also its accuracy on generated drawings.")
        {
            recipes, seed, drawings, quick, data,
        };
        command.SetAction(parsed =>
        {
            bool isQuick = parsed.GetValue(quick);
            int seedValue = parsed.GetValue(seed);
            int drawingCount = parsed.GetValue(drawings) ?? (isQuick ? 200 : 1000);
            IReadOnlyList<Recipe> chosen = parsed.GetValue(recipes) is string names
                ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Options.FindRecipe).ToList()
                : Recipe.Reproduced;
            var (trainSplit, testSplit) = context.LoadMnist(parsed.GetValue(data));
            return Reproduce(context, chosen, seedValue, drawingCount, isQuick, trainSplit, testSplit);
        });
        return command;
    }

    private static int Reproduce(CliContext context, IReadOnlyList<Recipe> recipes, int seed, int drawings, bool quick, MnistSplit trainSplit, MnistSplit testSplit)
    {
        var table = CliContext.Table("recipe", "published", "ours", "floor", "reached", "seconds");
        var trained = new Dictionary<string, (Sequential Model, float Accuracy)>();
        bool allPass = true;
        foreach (Recipe recipe in recipes)
        {
            // Quick mode: 6,000 training images and one epoch, to check the pipeline, not the numbers.
            Dataset train = trainSplit.ToDataset(recipe.Scaling, quick ? 6000 : null);
            Dataset test = testSplit.ToDataset(recipe.Scaling);
            TrainingOptions options = quick ? recipe.Options with { Epochs = 1 } : recipe.Options;
            var clock = Stopwatch.StartNew();
            var members = new List<Sequential>();
            float accuracy = 0f;
            for (int member = 0; member < recipe.EnsembleSize; member++)
            {
                var (model, history) = context.WithTrainingProgress($"{recipe.Name} #{member + 1}",
                    progress => recipe.Train(train, test, seed + member, progress, options: options));
                members.Add(model);
                accuracy = history.FinalTestAccuracy ?? 0f;
                if (recipe.EnsembleSize > 1)
                {
                    context.Error.WriteLine($"{recipe.Name} member {member + 1} (seed {seed + member}): {accuracy:P2}");
                }
            }
            if (recipe.EnsembleSize > 1)
            {
                accuracy = new Ensemble(members).Accuracy(recipe.Shape(test));
            }
            trained[recipe.Name] = (members[0], accuracy);
            bool pass = accuracy >= recipe.Floor;
            allPass &= pass || quick;
            CliContext.AddRow(table, recipe.Name, recipe.Published, Percent(accuracy), recipe.Floor.ToString("P1", CultureInfo.InvariantCulture),
                quick ? "quick" : pass ? "yes" : "NO", clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture));
        }
        context.Output.WriteLine(quick ? "Quick mode: 6,000 training images, 1 epoch; the floors apply to full runs only." : $"MNIST test set (10,000 images), seed {seed}.");
        context.Write(table);
        foreach (Recipe recipe in recipes)
        {
            context.WriteWrapped($"{recipe.Name}: {recipe.Description}. Published: {recipe.Source}.");
        }

        if (drawings > 0 && trained.TryGetValue(Recipe.LeNet5.Name, out var lenet))
        {
            allPass &= ReproduceDrawings(context, lenet.Model, lenet.Accuracy, drawings, seed, quick, trainSplit, testSplit);
        }
        return allPass ? 0 : 1;
    }

    /// <summary>
    /// LeNet-5 with and without augmented training, on generated drawings with and without the preprocessing.
    /// Returns whether the augmented model with preprocessing reached <see cref="DrawingsFloor"/>.
    /// </summary>
    private static bool ReproduceDrawings(CliContext context, Sequential augmented, float augmentedAccuracy, int count, int seed, bool quick,
        MnistSplit trainSplit, MnistSplit testSplit)
    {
        Recipe recipe = Recipe.LeNet5;
        Recipe plain = recipe with { Options = recipe.Options with { Augmentation = null } };
        Dataset train = trainSplit.ToDataset(recipe.Scaling, quick ? 6000 : null);
        Dataset test = testSplit.ToDataset(recipe.Scaling);
        TrainingOptions options = quick ? plain.Options with { Epochs = 1 } : plain.Options;
        var (unaugmented, history) = context.WithTrainingProgress("lenet5 without augmentation",
            progress => plain.Train(train, test, seed, progress, options: options));

        var clock = Stopwatch.StartNew();
        var generator = new DrawnDigits();
        PreparedDrawings prepared = Robustness.Prepare(generator.Generate(count, DrawingsSeed));
        var table = CliContext.Table("lenet5", "MNIST test set", "drawings, resized only", "drawings, preprocessed", "floor on drawings");
        bool pass = true;
        foreach (var (name, model, mnist) in new[]
        {
            ("augmented training", augmented, augmentedAccuracy),
            ("no augmentation", unaugmented, history.FinalTestAccuracy ?? 0f),
        })
        {
            DrawingAccuracy accuracy = Robustness.Evaluate(DigitClassifier.For(recipe, model), prepared);
            string floor = "";
            if (model == augmented)
            {
                bool reached = accuracy.Preprocessed >= DrawingsFloor;
                pass = reached || quick;
                floor = $"{DrawingsFloor.ToString("P0", CultureInfo.InvariantCulture)} {(quick ? "quick" : reached ? "yes" : "NO")}";
            }
            CliContext.AddRow(table, name, Percent(mnist), Percent(accuracy.ResizedOnly), Percent(accuracy.Preprocessed), floor);
        }
        context.Output.WriteLine();
        context.WriteWrapped($"Generated drawings: {count} digits (seed {DrawingsSeed}) in {generator.Fonts.Count} handwriting fonts, random size, " +
            $"position, stroke, slant and paper; {prepared.NotFound} without a digit found (counted wrong); {clock.Elapsed.TotalSeconds:F0} s. " +
            "Resized only: squeezed into 28×28 as a first attempt would; preprocessed: through DigitPreprocessor, MNIST's recipe.");
        context.Write(table);
        return pass;
    }

    private static string Percent(float value) => value.ToString("P2", CultureInfo.InvariantCulture);
}
