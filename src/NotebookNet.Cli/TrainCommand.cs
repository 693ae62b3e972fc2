using System.CommandLine;
using System.Globalization;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Preprocessing;
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
        var fineTune = new Option<string?>("--fine-tune") { Description = "Continue training this model file (made by the recipe) on MNIST mixed with --extra digits, at a tenth of the recipe's rate", HelpName = "FILE" };
        var extra = new Option<string?>("--extra") { Description = "With --fine-tune: a folder of your labelled digits, <label>/<picture> (the studio saves them in data/my-digits)", HelpName = "DIR" };
        var output = new Option<string?>("--output") { Description = "The model file to write (default: models/RECIPE.nnw)", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Replace the model file if it exists" };
        var data = Options.Data();
        var command = new Command("train", "Trains a recipe on MNIST and saves the model.")
        {
            recipeOption, epochs, learningRate, batchSize, seed, limit, validation, earlyStopping, fineTune, extra, output, force, data,
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
            if (parsed.GetValue(fineTune) is not null || parsed.GetValue(extra) is not null)
            {
                if (parsed.GetValue(fineTune) is not string from || parsed.GetValue(extra) is not string folder)
                {
                    throw new UsageException("--fine-tune FILE and --extra DIR go together: the model to continue and the digits to teach it");
                }
                string tunedPath = parsed.GetValue(output) ?? Path.Combine("models", Path.GetFileNameWithoutExtension(from) + "-fine-tuned.nnw");
                RequireWritable(tunedPath, parsed.GetValue(force));
                return FineTune(context, recipe, from, folder, tunedPath, parsed.GetValue(epochs) ?? 1, parsed.GetValue(seed), parsed.GetValue(data));
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
    /// train --fine-tune: the model continues on 10,000 MNIST digits mixed with the extra ones (a tenth of the mix), at a
    /// tenth of the recipe's rate; MNIST's test accuracy before and after shows whether it forgot anything.
    /// </summary>
    private static int FineTune(CliContext context, Recipe recipe, string from, string folder, string path, int epochs, int seed, string? data)
    {
        SavedModel saved = ModelFile.Load(from);
        if (saved.Input is not ModelInput input || !input.Matches(recipe.Input))
        {
            throw new InvalidDataException($"{from}: its input ({saved.Input?.ToString() ?? "not recorded"}) is not what recipe {recipe.Name} trains ({recipe.Input}); name the recipe that made it");
        }
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"{folder}: no such folder of digits; the studio (notebooknet serve) saves yours in data/my-digits");
        }
        ImageFolderContents extra = ImageFolder.Load(folder);
        if (extra.Digits.Count == 0)
        {
            throw new InvalidDataException($"{folder}: no labelled digits found (expected <label>/<picture>, label 0-9)");
        }
        context.Output.WriteLine($"{extra.Digits.Count} of your digits from {folder}" + (extra.NotFound.Count > 0 ? $" ({extra.NotFound.Count} pictures without a digit left out)" : ""));
        var (trainSplit, testSplit) = context.LoadMnist(data);
        var classifier = new DigitClassifier(saved.Model, input);
        float mnistBefore = classifier.Accuracy(testSplit), extraBefore = classifier.Accuracy(extra.Digits);
        MnistSplit mix = FineTuning.Mix(trainSplit, extra.Digits, mnistCount: 10_000, extraShare: 0.1f, seed);
        context.WithTrainingProgress($"{recipe.Name} fine-tuning", progress =>
            (saved.Model, FineTuning.Run(recipe, saved.Model, mix, null, epochs, rateFactor: 0.1f, seed, progress)));
        float mnistAfter = classifier.Accuracy(testSplit), extraAfter = classifier.Accuracy(extra.Digits);
        context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MNIST test set: {mnistBefore:P2} → {mnistAfter:P2}; your digits (the ones it trained on): {extraBefore:P2} → {extraAfter:P2}"));
        if (mnistBefore - mnistAfter > 0.003f)
        {
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warning: it forgot {100 * (mnistBefore - mnistAfter):F2} points of MNIST (more than 0.3): try fewer epochs, or more MNIST in the mix"));
        }
        ModelFile.Save(saved.Model, path, input, new Dictionary<string, string>(saved.Metadata)
        {
            ["fine-tuned-from"] = Path.GetFileName(from),
            ["fine-tuned-on"] = $"{extra.Digits.Count} digits from {folder}",
            ["test-accuracy"] = mnistAfter.ToString("R", CultureInfo.InvariantCulture),
        });
        context.Output.WriteLine($"saved {path}");
        return 0;
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
