using System.CommandLine;
using System.Globalization;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Serialization;
using NotebookNet.Training;

namespace NotebookNet.Cli;

/// <summary>train: trains one recipe on MNIST and saves the model.</summary>
public static class TrainCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var recipeOption = new Option<string>("--recipe") { Description = $"The recipe: {string.Join(", ", Recipe.All.Select(r => r.Name))}", Required = true, HelpName = "NAME" };
        var epochs = Options.OptionalWhole("--epochs", 1, 10_000, "Epochs (default: the recipe's); a schedule is sized to them");
        var learningRate = new Option<float?>("--learning-rate") { Description = "The optimizer's base rate (default: the recipe's); a schedule still multiplies it", HelpName = "X" };
        learningRate.Validators.Add(result =>
        {
            if (float.TryParse(result.Tokens.LastOrDefault()?.Value, System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out float value) && !(value > 0 && float.IsFinite(value)))
            {
                result.AddError($"--learning-rate expects a positive number, got {value}");
            }
        });
        var batchSize = Options.OptionalWhole("--batch-size", 1, 1_000_000, "Examples per step (default: the recipe's)");
        var seed = Options.Seed(1, "The seed of the weights, the shuffling and the distortions");
        var limit = Options.OptionalWhole("--limit", 1, 60_000, "Train on the first N training images only");
        var validation = Options.OptionalWhole("--validation", 1, 30_000, "Hold out N training images (the same N for every seed) and report accuracy on them after every epoch");
        var earlyStopping = Options.OptionalWhole("--early-stopping", 1, 1_000, "With --validation: stop after N epochs without a better validation accuracy and keep the best epoch's weights");
        var output = new Option<string?>("--output") { Description = "The model file to write (default: models/RECIPE.nnw)", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Replace the model file if it exists" };
        var data = Options.Data();
        var command = new Command("train", "Trains a recipe on MNIST and saves the model.")
        {
            recipeOption, epochs, learningRate, batchSize, seed, limit, validation, earlyStopping, output, force, data,
        };
        command.SetAction(parsed =>
        {
            Recipe recipe = Options.FindRecipe(parsed.GetValue(recipeOption)!);
            if (recipe.EnsembleSize > 1)
            {
                throw new UsageException($"{recipe.Name} is an ensemble of {recipe.EnsembleSize} networks, and a model file holds one: " +
                    $"train {recipe.Name.Replace($"-x{recipe.EnsembleSize}", "", StringComparison.Ordinal)} with --seed 1 to {recipe.EnsembleSize}, " +
                    $"or measure the ensemble with reproduce --recipes {recipe.Name}");
            }
            string path = parsed.GetValue(output) ?? Path.Combine("models", recipe.Name + ".nnw");
            RequireWritable(path, parsed.GetValue(force));
            TrainingOptions options = recipe.Options with
            {
                Epochs = parsed.GetValue(epochs) ?? recipe.Options.Epochs,
                BatchSize = parsed.GetValue(batchSize) ?? recipe.Options.BatchSize,
                EarlyStoppingPatience = parsed.GetValue(earlyStopping),
            };
            if (options.EarlyStoppingPatience is not null && parsed.GetValue(validation) is null)
            {
                throw new UsageException("--early-stopping watches a validation set: add --validation N (5000 is usual)");
            }
            int seedValue = parsed.GetValue(seed);

            var (trainSplit, testSplit) = context.LoadMnist(parsed.GetValue(data));
            Dataset? validationSet = null;
            if (parsed.GetValue(validation) is int held)
            {
                (trainSplit, MnistSplit heldOut) = trainSplit.HoldOut(held);
                validationSet = heldOut.ToDataset(recipe.Scaling);
            }
            Dataset train = trainSplit.ToDataset(recipe.Scaling, parsed.GetValue(limit));
            Dataset test = testSplit.ToDataset(recipe.Scaling);
            var (model, history) = context.WithTrainingProgress(recipe.Name,
                progress => recipe.Train(train, test, seedValue, progress, options: options, learningRate: parsed.GetValue(learningRate),
                    validation: validationSet));
            context.Output.Write(history.ToString());
            if (validationSet is not null)
            {
                context.Output.WriteLine(history.StoppedEarly
                    ? $"stopped early: validation accuracy last improved in epoch {history.BestEpoch}, whose weights are kept"
                    : $"best validation accuracy in epoch {history.BestEpoch} of {history.Count}");
            }
            float testAccuracy = Evaluation.Accuracy(model, recipe.Shape(test));   // the kept weights, after early stopping too
            ModelFile.Save(model, path, recipe.Input, new Dictionary<string, string>
            {
                ["recipe"] = recipe.Name,
                ["seed"] = seedValue.ToString(CultureInfo.InvariantCulture),
                ["epochs"] = options.Epochs.ToString(CultureInfo.InvariantCulture),
                ["test-accuracy"] = testAccuracy.ToString("R", CultureInfo.InvariantCulture),
            });
            context.Output.WriteLine($"test accuracy {testAccuracy:P2}; saved {path}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Refuses, before any training, a model path that exists (without <paramref name="force"/>) or cannot be written:
    /// minutes of training must not end in "access denied".
    /// </summary>
    private static void RequireWritable(string path, bool force)
    {
        if (Directory.Exists(path))
        {
            throw new IOException($"{path}: is a folder; give a file name with --output");
        }
        if (File.Exists(path) && !force)
        {
            throw new IOException($"{path}: exists (perhaps the model predict uses); give another --output, or --force to replace it");
        }
        string probe = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".notebooknet-write-test-{Environment.ProcessId}");
        try
        {
            AtomicFile.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: cannot write there ({error.Message}); give another --output", error);
        }
    }
}
