using System.Diagnostics;
using System.Globalization;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Serialization;
using NotebookNet.Training;

namespace NotebookNet.Cli;

/// <summary>The train, evaluate and reproduce commands.</summary>
public static class Commands
{
    /// <summary>Trains one recipe and saves the model.</summary>
    public static int Train(Arguments arguments, TextWriter output)
    {
        Recipe recipe = Recipes.Find(arguments.Text("recipe") ?? throw new UsageException("train needs --recipe NAME"));
        int seed = arguments.Int("seed", 0) ?? 1;
        TrainingOptions options = recipe.Options with
        {
            Epochs = arguments.Int("epochs", 1, 10_000) ?? recipe.Options.Epochs,
            BatchSize = arguments.Int("batch-size", 1, 1_000_000) ?? recipe.Options.BatchSize,
        };
        float? learningRate = arguments.PositiveFloat("learning-rate");
        if (learningRate is float rate)
        {
            options = options with { LearningRateSchedule = Schedules.Constant(rate) };
        }
        int? limit = arguments.Int("limit", 1);
        string path = arguments.Text("output") ?? Path.Combine("models", recipe.Name + ".nnw");
        arguments.RejectUnknown(0);

        var (trainSplit, testSplit) = Cli.LoadMnist(arguments);
        Dataset train = trainSplit.ToDataset(recipe.Scaling, limit);
        Dataset test = testSplit.ToDataset(recipe.Scaling);
        var (model, history) = Cli.WithTrainingProgress(recipe.Name,
            progress => recipe.Train(train, test, seed, progress, options: options));
        output.Write(history.ToString());
        ModelFile.Save(model, path, new Dictionary<string, string>
        {
            ["recipe"] = recipe.Name,
            ["scaling"] = recipe.Scaling.ToString(),
            ["input-shape"] = string.Join(",", recipe.InputShape),
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
        SavedModel saved = ModelFile.Load(path);
        PixelScaling scaling = saved.Metadata.TryGetValue("scaling", out string? text) && Enum.TryParse(text, out PixelScaling parsed)
            ? parsed
            : PixelScaling.ZeroToOne;
        int[] inputShape = saved.Metadata.TryGetValue("input-shape", out string? shapeText)
            ? shapeText.Split(',').Select(part => int.Parse(part, CultureInfo.InvariantCulture)).ToArray()
            : [Mnist.Pixels];
        var (_, testSplit) = Cli.LoadMnist(arguments);
        Dataset test = testSplit.ToDataset(scaling).Reshape(inputShape);
        ConfusionMatrix confusion = Evaluation.Confusion(saved.Model, test);
        output.WriteLine($"model: {saved.Model} ({saved.Model.ParameterCount:N0} parameters, inputs scaled {scaling})");
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
        IReadOnlyList<Recipe> recipes = arguments.Text("recipes") is string names
            ? names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Recipes.Find).ToList()
            : Recipes.Reproduced;
        arguments.RejectUnknown(0);
        var (trainSplit, testSplit) = Cli.LoadMnist(arguments);

        var rows = new List<string[]>();
        bool allPass = true;
        foreach (Recipe recipe in recipes)
        {
            // Quick mode: 6,000 training images and one epoch, to check the pipeline, not the numbers.
            Dataset train = trainSplit.ToDataset(recipe.Scaling, quick ? 6000 : null);
            Dataset test = testSplit.ToDataset(recipe.Scaling);
            TrainingOptions options = quick ? recipe.Options with { Epochs = 1, LearningRateSchedule = null } : recipe.Options;
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
            bool pass = accuracy >= recipe.Floor;
            allPass &= pass || quick;
            rows.Add([recipe.Name, recipe.Description, recipe.Published, recipe.Source,
                accuracy.ToString("P2", CultureInfo.InvariantCulture), (recipe.Floor).ToString("P1", CultureInfo.InvariantCulture),
                quick ? "quick" : pass ? "yes" : "NO", clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)]);
        }
        output.WriteLine(quick ? "Quick mode: 6,000 training images, 1 epoch; the floors apply to full runs only." : $"MNIST test set (10,000 images), seed {seed}.");
        output.WriteLine(Table.Render(["recipe", "configuration", "published", "source", "ours", "floor", "reached", "seconds"], rows));
        return allPass ? 0 : 1;
    }
}
