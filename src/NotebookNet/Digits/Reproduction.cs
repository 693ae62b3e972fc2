using System.Diagnostics;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Serialization;
using NotebookNet.Training;

namespace NotebookNet.Digits;

/// <summary>
/// How a caller shows a training run: it calls <paramref name="run"/> with a progress sink of its own (a terminal bar, a
/// notebook bar, or null) and returns what the run returned.
/// </summary>
public delegate (Sequential Model, TrainingHistory History) ShowTraining(
    string title, Func<IProgress<TrainingProgress>?, (Sequential Model, TrainingHistory History)> run);

/// <summary>One row of the reproduction table: a recipe trained from a seed and measured on MNIST's test set.</summary>
/// <param name="Recipe">The configuration, with its published figure, source and floor.</param>
/// <param name="Accuracy">Test accuracy: of the network, or of the ensemble's vote.</param>
/// <param name="Seconds">Wall-clock time of the training and evaluation.</param>
/// <param name="MemberAccuracies">Each network's own test accuracy (one for a single network).</param>
/// <param name="Model">The first network trained.</param>
/// <param name="Quick">Whether this was a quick run (a subset and one epoch), to which the floor does not apply.</param>
public sealed record ReproducedResult(Recipe Recipe, float Accuracy, double Seconds, IReadOnlyList<float> MemberAccuracies, Sequential Model, bool Quick)
{
    /// <summary>Whether the accuracy reached the recipe's floor.</summary>
    public bool Reached => Accuracy >= Recipe.Floor;
}

/// <summary>LeNet-5, trained with and without distortions, graded on generated drawings.</summary>
/// <param name="Count">The number of drawings.</param>
/// <param name="NotFound">Drawings in which the preprocessing found no digit (counted wrong).</param>
/// <param name="Fonts">How many handwriting fonts drew them.</param>
/// <param name="Augmented">The augmented model's accuracy on the drawings.</param>
/// <param name="AugmentedMnist">The augmented model's accuracy on MNIST's test set.</param>
/// <param name="Plain">The model trained without distortions, on the drawings.</param>
/// <param name="PlainMnist">That model on MNIST's test set.</param>
/// <param name="Seconds">The time to draw, prepare and grade the drawings.</param>
public sealed record DrawingsResult(int Count, int NotFound, int Fonts, DrawingAccuracy Augmented, float AugmentedMnist,
    DrawingAccuracy Plain, float PlainMnist, double Seconds)
{
    /// <summary>Whether the augmented model with preprocessing reached <see cref="Reproduction.DrawingsFloor"/>.</summary>
    public bool Reached => Augmented.Preprocessed >= Reproduction.DrawingsFloor;
}

/// <summary>
/// Reproducing the published results: what <c>notebooknet reproduce</c> prints and notebook 09 builds live, by the same
/// code. Each recipe is trained on all 60,000 training digits with its settings fixed in advance and measured once on
/// the test set. Introduced in notebook 09.
/// </summary>
public static class Reproduction
{
    /// <summary>The seed of the generated drawings: fixed, so every run grades the same pictures.</summary>
    public const int DrawingsSeed = 2026;

    /// <summary>The least accuracy on generated drawings for augmented LeNet-5 with preprocessing.</summary>
    public const float DrawingsFloor = 0.95f;

    /// <summary>Training images in a quick run, which also trains one epoch: it checks the pipeline, not the numbers.</summary>
    public const int QuickImages = 6_000;

    /// <summary>
    /// Trains <paramref name="recipe"/> from <paramref name="seed"/> (an ensemble's members from consecutive seeds) on
    /// <paramref name="trainSplit"/> — all of it, or <see cref="QuickImages"/> for one epoch when <paramref name="quick"/> —
    /// and measures it on <paramref name="testSplit"/> once, when its training is done. <paramref name="show"/> displays
    /// each training run's progress; <paramref name="log"/> is told each ensemble member's accuracy as it finishes. With a
    /// <paramref name="checkpoints"/> folder, each network's run writes a checkpoint there ten times an epoch and on
    /// cancellation (<c>RECIPE-seedN.ckpt</c>), and its model when it ends (<c>RECIPE-seedN.nnw</c>); with
    /// <paramref name="resume"/>, a network whose model is there is not trained again and one whose checkpoint is there
    /// continues from it, so a stopped or killed reproduction picks up where it was and ends with the numbers it would
    /// have had.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled; with
    /// <paramref name="checkpoints"/>, the run's checkpoint is written first.</exception>
    public static ReproducedResult Run(Recipe recipe, MnistSplit trainSplit, MnistSplit testSplit, int seed = 1, bool quick = false,
        ShowTraining? show = null, Action<string>? log = null, string? checkpoints = null, bool resume = false,
        CancellationToken cancellation = default)
    {
        show ??= (_, run) => run(null);
        Dataset train = trainSplit.ToDataset(recipe.Scaling, quick ? QuickImages : null);
        Dataset test = testSplit.ToDataset(recipe.Scaling);
        TrainingOptions options = quick ? recipe.Options with { Epochs = 1 } : recipe.Options;
        var clock = Stopwatch.StartNew();
        var members = new List<Sequential>();
        var accuracies = new List<float>();
        for (int member = 0; member < recipe.EnsembleSize; member++)
        {
            int memberSeed = seed + member;
            string? stem = checkpoints is null ? null
                : Path.Combine(checkpoints, $"{recipe.Name}-seed{memberSeed}{(quick ? "-quick" : "")}");
            if (stem is not null && resume && File.Exists(stem + ".nnw"))
            {
                SavedModel done = ModelFile.Load(stem + ".nnw");
                members.Add(done.Model);
                accuracies.Add(float.Parse(done.Metadata["test-accuracy"], System.Globalization.CultureInfo.InvariantCulture));
                log?.Invoke($"{recipe.Name} (seed {memberSeed}): trained before, read from {stem}.nnw");
                continue;
            }
            TrainingCheckpoint? from = stem is not null && resume && File.Exists(stem + ".ckpt") ? TrainingCheckpoint.Load(stem + ".ckpt") : null;
            if (from is not null)
            {
                log?.Invoke($"{recipe.Name} (seed {memberSeed}): resuming from {stem}.ckpt at {from}");
            }
            int batches = (train.Count + options.BatchSize - 1) / options.BatchSize;
            TrainingOptions memberOptions = stem is null ? options
                : options with { Checkpoint = new Checkpointing(stem + ".ckpt") { EveryBatches = Math.Max(1, batches / 10) } };
            // No test set during training: it is measured once, when the training is done.
            var (model, _) = show($"{recipe.Name} #{member + 1}",
                progress => recipe.Train(train, null, memberSeed, progress, cancellation, memberOptions, resume: from));
            members.Add(model);
            accuracies.Add(Evaluation.Accuracy(model, recipe.Shape(test)));
            if (stem is not null)
            {
                ModelFile.Save(model, stem + ".nnw", recipe.Input, new Dictionary<string, string>
                {
                    ["recipe"] = recipe.Name,
                    ["seed"] = memberSeed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["test-accuracy"] = accuracies[^1].ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                });
                File.Delete(stem + ".ckpt");
                File.Delete(TrainingCheckpoint.PreviousPath(stem + ".ckpt"));
            }
            if (recipe.EnsembleSize > 1)
            {
                log?.Invoke($"{recipe.Name} member {member + 1} (seed {memberSeed}): {accuracies[^1]:P2}");
            }
        }
        float accuracy = recipe.EnsembleSize > 1 ? new Ensemble(members).Accuracy(recipe.Shape(test)) : accuracies[0];
        return new ReproducedResult(recipe, accuracy, clock.Elapsed.TotalSeconds, accuracies, members[0], quick);
    }

    /// <summary>
    /// Trains LeNet-5 without distortions beside <paramref name="augmented"/> (LeNet-5 as its recipe trains it) and grades
    /// both on <paramref name="count"/> generated drawings, squeezed only and through the preprocessing.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled during the training.</exception>
    public static DrawingsResult Drawings(Sequential augmented, float augmentedAccuracy, MnistSplit trainSplit, MnistSplit testSplit,
        int count, int seed = 1, bool quick = false, ShowTraining? show = null, CancellationToken cancellation = default)
    {
        show ??= (_, run) => run(null);
        Recipe recipe = Recipe.LeNet5;
        Recipe plain = recipe with { Options = recipe.Options with { Augmentation = null } };
        Dataset train = trainSplit.ToDataset(recipe.Scaling, quick ? QuickImages : null);
        Dataset test = testSplit.ToDataset(recipe.Scaling);
        TrainingOptions options = quick ? plain.Options with { Epochs = 1 } : plain.Options;
        var (unaugmented, _) = show("lenet5 without augmentation", progress => plain.Train(train, null, seed, progress, cancellation, options));
        float plainAccuracy = Evaluation.Accuracy(unaugmented, plain.Shape(test));

        var clock = Stopwatch.StartNew();
        var generator = new DrawnDigits();
        PreparedDrawings prepared = Robustness.Prepare(generator.Generate(count, DrawingsSeed));
        DrawingAccuracy augmentedOnDrawings = Robustness.Evaluate(DigitClassifier.For(recipe, augmented), prepared);
        DrawingAccuracy plainOnDrawings = Robustness.Evaluate(DigitClassifier.For(recipe, unaugmented), prepared);
        return new DrawingsResult(count, prepared.NotFound, generator.Fonts.Count, augmentedOnDrawings, augmentedAccuracy,
            plainOnDrawings, plainAccuracy, clock.Elapsed.TotalSeconds);
    }
}
