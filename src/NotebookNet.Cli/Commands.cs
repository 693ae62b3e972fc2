using System.Diagnostics;
using System.Globalization;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Layers;
using NotebookNet.Preprocessing;
using NotebookNet.Serialization;
using NotebookNet.Training;

namespace NotebookNet.Cli;

/// <summary>The train, evaluate and reproduce commands.</summary>
public static class Commands
{
    /// <summary>Trains one recipe and saves the model.</summary>
    public static int Train(Arguments arguments, TextWriter output)
    {
        Recipe recipe = Recipe.Find(arguments.Text("recipe") ?? throw new UsageException("train needs --recipe NAME"));
        int seed = arguments.Int("seed", 0) ?? 1;
        TrainingOptions options = recipe.Options with
        {
            Epochs = arguments.Int("epochs", 1, 10_000) ?? recipe.Options.Epochs,
            BatchSize = arguments.Int("batch-size", 1, 1_000_000) ?? recipe.Options.BatchSize,
        };
        float? learningRate = arguments.PositiveFloat("learning-rate");
        int? limit = arguments.Int("limit", 1);
        string path = arguments.Text("output") ?? Path.Combine("models", recipe.Name + ".nnw");
        arguments.RejectUnknown(0);

        var (trainSplit, testSplit) = Cli.LoadMnist(arguments);
        Dataset train = trainSplit.ToDataset(recipe.Scaling, limit);
        Dataset test = testSplit.ToDataset(recipe.Scaling);
        var (model, history) = Cli.WithTrainingProgress(recipe.Name,
            progress => recipe.Train(train, test, seed, progress, options: options, learningRate: learningRate));
        output.Write(history.ToString());
        ModelFile.Save(model, path, recipe.Input, new Dictionary<string, string>
        {
            ["recipe"] = recipe.Name,
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
            ["test-accuracy"] = (history.FinalTestAccuracy ?? 0f).ToString("R", CultureInfo.InvariantCulture),
        });
        output.WriteLine($"test accuracy {history.FinalTestAccuracy:P2}; saved {path}");
        return 0;
    }

    /// <summary>Evaluates a saved model on the MNIST test set.</summary>
    public static int Evaluate(Arguments arguments, TextWriter output)
    {
        string path = arguments.Positional.FirstOrDefault() ?? throw new UsageException("evaluate needs a model file");
        arguments.RejectUnknown(1);
        DigitClassifier classifier = DigitClassifier.Load(path);
        var (_, testSplit) = Cli.LoadMnist(arguments);
        Dataset test = testSplit.ToDataset(classifier.Scaling).Reshape(classifier.InputShape);
        ConfusionMatrix confusion = Evaluation.Confusion(classifier.Model, test);
        output.WriteLine($"model: {classifier.Model} ({classifier.Model.ParameterCount:N0} parameters, inputs scaled {classifier.Scaling})");
        output.WriteLine($"test accuracy: {confusion.Accuracy:P2} ({confusion.Total} images)");
        output.WriteLine();
        output.Write(confusion.ToString());
        return 0;
    }

    /// <summary>Trains every recipe and prints the accuracy table.</summary>
    public static int Reproduce(Arguments arguments, TextWriter output)
    {
        bool quick = arguments.Flag("quick");
        int seed = arguments.Int("seed", 0) ?? 1;
        int drawings = arguments.Int("drawings", 0, 1_000_000) ?? (quick ? 200 : 1000);
        IReadOnlyList<Recipe> recipes = arguments.Text("recipes") is string names
            ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Recipe.Find).ToList()
            : Recipe.Reproduced;
        arguments.RejectUnknown(0);
        var (trainSplit, testSplit) = Cli.LoadMnist(arguments);

        var rows = new List<string[]>();
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
                var (model, history) = Cli.WithTrainingProgress($"{recipe.Name} #{member + 1}",
                    progress => recipe.Train(train, test, seed + member, progress, options: options));
                members.Add(model);
                accuracy = history.FinalTestAccuracy ?? 0f;
                if (recipe.EnsembleSize > 1)
                {
                    Console.Error.WriteLine($"{recipe.Name} member {member + 1} (seed {seed + member}): {accuracy:P2}");
                }
            }
            if (recipe.EnsembleSize > 1)
            {
                accuracy = new Ensemble(members).Accuracy(recipe.Shape(test));
            }
            trained[recipe.Name] = (members[0], accuracy);
            bool pass = accuracy >= recipe.Floor;
            allPass &= pass || quick;
            rows.Add([recipe.Name, recipe.Description, recipe.Published, recipe.Source,
                accuracy.ToString("P2", CultureInfo.InvariantCulture), (recipe.Floor).ToString("P1", CultureInfo.InvariantCulture),
                quick ? "quick" : pass ? "yes" : "NO", clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)]);
        }
        output.WriteLine(quick ? "Quick mode: 6,000 training images, 1 epoch; the floors apply to full runs only." : $"MNIST test set (10,000 images), seed {seed}.");
        output.WriteLine(Table.Render(["recipe", "configuration", "published", "source", "ours", "floor", "reached", "seconds"], rows));

        if (drawings > 0 && trained.TryGetValue(Recipe.LeNet5.Name, out var lenet))
        {
            allPass &= ReproduceDrawings(lenet.Model, lenet.Accuracy, drawings, seed, quick, trainSplit, testSplit, output);
        }
        return allPass ? 0 : 1;
    }

    /// <summary>
    /// LeNet-5 with and without augmented training, on generated drawings with and without the preprocessing.
    /// Returns whether the augmented model with preprocessing reached <see cref="DrawingsFloor"/>.
    /// </summary>
    private static bool ReproduceDrawings(Sequential augmented, float augmentedAccuracy, int count, int seed, bool quick, MnistSplit trainSplit, MnistSplit testSplit, TextWriter output)
    {
        Recipe recipe = Recipe.LeNet5;
        Recipe plain = recipe with { Options = recipe.Options with { Augmentation = null } };
        Dataset train = trainSplit.ToDataset(recipe.Scaling, quick ? 6000 : null);
        Dataset test = testSplit.ToDataset(recipe.Scaling);
        TrainingOptions options = quick ? plain.Options with { Epochs = 1 } : plain.Options;
        var (unaugmented, history) = Cli.WithTrainingProgress("lenet5 without augmentation",
            progress => plain.Train(train, test, seed, progress, options: options));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var generator = new DrawnDigits();
        PreparedDrawings drawings = Robustness.Prepare(generator.Generate(count, DrawingsSeed));
        var rows = new List<string[]>();
        bool pass = true;
        foreach (var (name, model, mnist) in new[]
        {
            ("lenet5, augmented training", augmented, augmentedAccuracy),
            ("lenet5, no augmentation", unaugmented, history.FinalTestAccuracy ?? 0f),
        })
        {
            DrawingAccuracy accuracy = Robustness.Evaluate(DigitClassifier.For(recipe, model), drawings);
            string floor = "";
            if (model == augmented)
            {
                bool reached = accuracy.Preprocessed >= DrawingsFloor;
                pass = reached || quick;
                floor = $"{DrawingsFloor.ToString("P0", CultureInfo.InvariantCulture)} {(quick ? "quick" : reached ? "yes" : "NO")}";
            }
            rows.Add([name, mnist.ToString("P2", CultureInfo.InvariantCulture), accuracy.ResizedOnly.ToString("P2", CultureInfo.InvariantCulture),
                accuracy.Preprocessed.ToString("P2", CultureInfo.InvariantCulture), floor]);
        }
        output.WriteLine();
        output.WriteLine($"Generated drawings: {count} digits (seed {DrawingsSeed}) in {generator.Fonts.Count} handwriting fonts, random size, " +
            $"position, stroke, slant and paper; {drawings.NotFound} without a digit found (counted wrong); {clock.Elapsed.TotalSeconds:F0} s.");
        output.WriteLine(Table.Render(["model", "MNIST test set", "drawings, resized only", "drawings, MNIST preprocessing", "floor"], rows));
        return pass;
    }

    /// <summary>The seed of the drawings <c>reproduce</c> generates: fixed, so every run grades the same pictures.</summary>
    public const int DrawingsSeed = 2026;

    /// <summary>The least accuracy on generated drawings for the augmented model with preprocessing.</summary>
    public const float DrawingsFloor = 0.95f;

    /// <summary>Writes generated drawings as DIR/&lt;label&gt;/&lt;n&gt;.png.</summary>
    public static int Drawings(Arguments arguments, TextWriter output)
    {
        int count = arguments.Int("count", 1, 1_000_000) ?? 100;
        int seed = arguments.Int("seed", 0) ?? DrawingsSeed;
        string folder = arguments.Text("output") ?? "drawings";
        arguments.RejectUnknown(0);
        var generator = new DrawnDigits();
        IReadOnlyList<string> files = ImageFolder.Write(folder, generator.Generate(count, seed).Select(digit => (digit.Label, digit.ToPng())));
        output.WriteLine($"wrote {files.Count} drawings to {folder}/<label>/ in {generator.Fonts.Count} fonts: {string.Join(", ", generator.Fonts)}");
        return 0;
    }
}
