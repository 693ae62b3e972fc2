using System.CommandLine;
using System.Globalization;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Layers;
using NotebookNet.Preprocessing;
using NotebookNet.Serialization;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Cli;

/// <summary>
/// train: trains one recipe on MNIST and saves the model. Ctrl+C stops at the end of the batch, writes a checkpoint and
/// says how to resume; <c>--checkpoint-every N</c> writes one every N batches too, so even a killed run resumes.
/// </summary>
public static class TrainCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var recipeOption = new Option<string?>("--recipe") { Description = $"The recipe: {string.Join(", ", Recipe.All.Select(r => r.Name))}", HelpName = "NAME" };
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
        var checkpointEvery = Options.OptionalWhole("--checkpoint-every", 1, int.MaxValue, "Write a checkpoint every N batches (Ctrl+C always writes one), so a killed run resumes");
        var checkpoint = new Option<string?>("--checkpoint") { Description = "The checkpoint file (default: the model file + .ckpt); removed when training ends", HelpName = "FILE" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run that wrote this checkpoint; the checkpoint holds the recipe and every setting", HelpName = "FILE" };
        var dataSet = Options.DataSet();
        var data = Options.Data();
        var command = new Command("train", "Trains a recipe on MNIST (or Fashion-MNIST) and saves the model.")
        {
            recipeOption, epochs, learningRate, batchSize, seed, limit, validation, earlyStopping, fineTune, extra, output, force,
            checkpointEvery, checkpoint, resume, dataSet, data,
        };
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(resume) is string resumePath)
            {
                Option[] fixedByCheckpoint = [recipeOption, epochs, learningRate, batchSize, seed, limit, validation, earlyStopping, fineTune, extra, output, checkpoint, dataSet];
                if (fixedByCheckpoint.FirstOrDefault(option => parsed.GetResult(option) is { Implicit: false }) is Option given)
                {
                    throw new UsageException($"--resume continues a run whose settings the checkpoint holds: leave out {given.Name}");
                }
                TrainingCheckpoint saved = TrainingCheckpoint.Load(resumePath);
                TrainRun resumed = TrainRun.FromCheckpoint(saved, resumePath);
                resumed = resumed with { CheckpointEvery = parsed.GetValue(checkpointEvery) ?? resumed.CheckpointEvery };
                RequireWritable(resumed.Output, parsed.GetValue(force) || resumed.Force);
                context.Error.WriteLine($"resuming {resumed.Recipe.Name} from {resumePath}: {saved} ({saved.Fraction:P0} done)");
                return Train(context, resumed, parsed.GetValue(data), saved);
            }
            if (parsed.GetValue(recipeOption) is not string recipeName)
            {
                throw new UsageException("train needs --recipe NAME (or --resume FILE to continue a stopped run)");
            }
            Recipe recipe = Options.FindRecipe(recipeName);
            ImageSet set = ImageSet.Find(parsed.GetValue(dataSet)!);
            if (recipe.EnsembleSize > 1)
            {
                throw new UsageException($"{recipe.Name} is an ensemble of {recipe.EnsembleSize} networks, and a model file holds one: " +
                    $"train {recipe.Name.Replace($"-x{recipe.EnsembleSize}", "", StringComparison.Ordinal)} with --seed 1 to {recipe.EnsembleSize}, " +
                    $"or measure the ensemble with reproduce --recipes {recipe.Name}");
            }
            if (parsed.GetValue(fineTune) is not null || parsed.GetValue(extra) is not null)
            {
                if (set != ImageSet.Mnist)
                {
                    throw new UsageException("--fine-tune teaches an MNIST model your handwriting: leave out --dataset");
                }
                if (parsed.GetValue(fineTune) is not string from || parsed.GetValue(extra) is not string folder)
                {
                    throw new UsageException("--fine-tune FILE and --extra DIR go together: the model to continue and the digits to teach it");
                }
                string tunedPath = parsed.GetValue(output) ?? Path.Combine("models", Path.GetFileNameWithoutExtension(from) + "-fine-tuned.nnw");
                RequireWritable(tunedPath, parsed.GetValue(force));
                return FineTune(context, recipe, from, folder, tunedPath, parsed.GetValue(epochs) ?? 1, parsed.GetValue(seed), parsed.GetValue(data));
            }
            string path = parsed.GetValue(output) ?? Path.Combine("models", recipe.Name + (set == ImageSet.Mnist ? "" : "-" + set.Key) + ".nnw");
            RequireWritable(path, parsed.GetValue(force));
            if (parsed.GetValue(earlyStopping) is not null && parsed.GetValue(validation) is null)
            {
                throw new UsageException("--early-stopping watches a validation set: add --validation N (5000 is usual)");
            }
            var run = new TrainRun(recipe, set, parsed.GetValue(seed), parsed.GetValue(epochs) ?? recipe.Options.Epochs,
                parsed.GetValue(batchSize) ?? recipe.Options.BatchSize, parsed.GetValue(learningRate), parsed.GetValue(limit),
                parsed.GetValue(validation), parsed.GetValue(earlyStopping), path, parsed.GetValue(checkpoint) ?? path + ".ckpt",
                parsed.GetValue(checkpointEvery), parsed.GetValue(force));
            return Train(context, run, parsed.GetValue(data), resume: null);
        });
        return command;
    }

    /// <summary>Trains <paramref name="run"/>, from the start or from <paramref name="resume"/>, and saves the model.</summary>
    private static int Train(CliContext context, TrainRun run, string? data, TrainingCheckpoint? resume)
    {
        Recipe recipe = run.Recipe;
        TrainingOptions options = recipe.Options with
        {
            Epochs = run.Epochs,
            BatchSize = run.BatchSize,
            EarlyStoppingPatience = run.EarlyStopping,
            Checkpoint = new Checkpointing(run.Checkpoint) { EveryBatches = run.CheckpointEvery, Metadata = run.ToMetadata() },
        };
        var (trainSplit, testSplit) = context.Load(run.Set, data);
        Dataset? validationSet = null;
        if (run.Validation is int held)
        {
            (trainSplit, MnistSplit heldOut) = trainSplit.HoldOut(held);
            validationSet = heldOut.ToDataset(recipe.Scaling);
        }
        Dataset train = trainSplit.ToDataset(recipe.Scaling, run.Limit);
        Dataset test = testSplit.ToDataset(recipe.Scaling);

        // Which kernel and how many threads: what speed to expect, and (from the tests) proof that a switch took effect.
        context.Error.WriteLine($"{recipe.Name}: {train.Count:N0} training images; matrix kernel {MatMul.KernelName}, {MatMul.MaxDegreeOfParallelism} thread{(MatMul.MaxDegreeOfParallelism == 1 ? "" : "s")}");

        // Ctrl+C (or SIGTERM) stops at the end of the batch and writes a checkpoint; a second one quits at once.
        using var stop = new InterruptSignal();
        Sequential model;
        TrainingHistory history;
        try
        {
            (model, history) = context.WithTrainingProgress(recipe.Name,
                progress => recipe.Train(train, test, run.Seed, progress, stop.Token, options, run.LearningRate, validationSet, resume));
        }
        catch (OperationCanceledException stopped) when (stop.Received)
        {
            context.Error.WriteLine($"notebooknet: {stopped.Message}");
            context.Error.WriteLine($"resume with: notebooknet train --resume {run.Checkpoint}");
            return 130;
        }
        context.Output.Write(history.ToString());
        if (validationSet is not null)
        {
            context.Output.WriteLine(history.StoppedEarly
                ? $"stopped early: validation accuracy last improved in epoch {history.BestEpoch}, whose weights are kept"
                : $"best validation accuracy in epoch {history.BestEpoch} of {history.Count}");
        }
        float testAccuracy = Evaluation.Accuracy(model, recipe.Shape(test));   // the kept weights, after early stopping too
        ModelFile.Save(model, run.Output, recipe.InputFor(run.Set), new Dictionary<string, string>
        {
            ["recipe"] = recipe.Name,
            ["seed"] = run.Seed.ToString(CultureInfo.InvariantCulture),
            ["epochs"] = run.Epochs.ToString(CultureInfo.InvariantCulture),
            ["test-accuracy"] = testAccuracy.ToString("R", CultureInfo.InvariantCulture),
        });
        context.Output.WriteLine($"{run.Set.Name} test accuracy {testAccuracy:P2}; saved {run.Output}");
        foreach (string finished in new[] { run.Checkpoint, TrainingCheckpoint.PreviousPath(run.Checkpoint) }.Where(File.Exists))
        {
            File.Delete(finished); // the run is done: its model file holds what the checkpoints were for
        }
        return 0;
    }

    /// <summary>The settings of one training run: from the command line, or read back from its checkpoint to resume it.</summary>
    private sealed record TrainRun(Recipe Recipe, ImageSet Set, int Seed, int Epochs, int BatchSize, float? LearningRate, int? Limit, int? Validation,
        int? EarlyStopping, string Output, string Checkpoint, int? CheckpointEvery, bool Force)
    {
        public Dictionary<string, string> ToMetadata()
        {
            var metadata = new Dictionary<string, string>
            {
                ["recipe"] = Recipe.Name,
                ["dataset"] = Set.Key,
                ["seed"] = Text(Seed),
                ["epochs"] = Text(Epochs),
                ["batch-size"] = Text(BatchSize),
                ["output"] = Path.GetFullPath(Output),
                ["checkpoint"] = Path.GetFullPath(Checkpoint),
                ["force"] = Force ? "true" : "false",
            };
            void Optional(string key, object? value)
            {
                if (value is IFormattable formattable)
                {
                    metadata[key] = formattable.ToString(key == "learning-rate" ? "R" : null, CultureInfo.InvariantCulture);
                }
            }
            Optional("learning-rate", LearningRate);
            Optional("limit", Limit);
            Optional("validation", Validation);
            Optional("early-stopping", EarlyStopping);
            Optional("checkpoint-every", CheckpointEvery);
            return metadata;
        }

        /// <exception cref="InvalidDataException">The checkpoint was not written by train, or its settings are damaged.</exception>
        public static TrainRun FromCheckpoint(TrainingCheckpoint checkpoint, string path)
        {
            IReadOnlyDictionary<string, string> m = checkpoint.Metadata;
            string Required(string key) => m.TryGetValue(key, out string? value) ? value
                : throw new InvalidDataException($"{path}: the checkpoint does not say its {key}: it was not written by notebooknet train");
            int? Whole(string key) => !m.TryGetValue(key, out string? value) ? null
                : int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int number) ? number
                : throw new InvalidDataException($"{path}: the checkpoint's {key} is '{value}', not a whole number");
            Recipe recipe = Recipe.All.FirstOrDefault(r => r.Name == Required("recipe"))
                ?? throw new InvalidDataException($"{path}: the checkpoint's recipe '{Required("recipe")}' is not one this release knows");
            float? rate = m.TryGetValue("learning-rate", out string? rateText)
                ? float.Parse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture) : null;
            int RequiredWhole(string key) => Whole(key) ?? throw new InvalidDataException($"{path}: the checkpoint does not say its {key}: it was not written by notebooknet train");
            ImageSet set = m.TryGetValue("dataset", out string? key) ? ImageSet.Find(key) : ImageSet.Mnist;
            return new TrainRun(recipe, set, RequiredWhole("seed"), RequiredWhole("epochs"), RequiredWhole("batch-size"), rate, Whole("limit"),
                Whole("validation"), Whole("early-stopping"), Required("output"), path, Whole("checkpoint-every"), Required("force") == "true");
        }

        private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
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
