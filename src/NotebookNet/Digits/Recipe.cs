using NotebookNet.Activations;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Losses;
using NotebookNet.Optimizers;
using NotebookNet.Serialization;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Digits;

/// <summary>
/// Everything that defines a training run: architecture, loss, optimizer, options and input scaling,
/// with the accuracy someone published for it. The <c>reproduce</c> command trains each one; the recipes themselves are
/// static members of this type (<c>Recipe.LeNet5</c>), written in Recipe.Catalogue.cs.
/// </summary>
public sealed partial record Recipe
{
    /// <summary>A short name used on the command line, e.g. <c>rashid</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What the recipe is, in a line.</summary>
    public required string Description { get; init; }

    /// <summary>Builds the model with weights drawn from the seed.</summary>
    public required Func<Rng, Sequential> CreateModel { get; init; }

    /// <summary>Creates the loss.</summary>
    public required Func<ILoss> CreateLoss { get; init; }

    /// <summary>Creates the optimizer over the model's parameters: the one place the recipe's learning rate is set.</summary>
    public required Func<Sequential, Optimizer> CreateOptimizer { get; init; }

    /// <summary>Epochs, batch size, and the schedule that multiplies the optimizer's learning rate.</summary>
    public required TrainingOptions Options { get; init; }

    /// <summary>How pixels become inputs.</summary>
    public required PixelScaling Scaling { get; init; }

    /// <summary>The shape of one input: (784,) for MLPs, (1, 28, 28) for convolutional networks.</summary>
    public int[] InputShape { get; init; } = [784];

    /// <summary>What a model trained by this recipe expects of its input: saved with it.</summary>
    public ModelInput Input => InputFor(ImageSet.Mnist);

    /// <summary>What a model trained by this recipe on <paramref name="set"/> expects of its input: saved with it.</summary>
    public ModelInput InputFor(ImageSet set) => ModelInput.For(set, Scaling, InputShape);

    /// <summary>The accuracy reported elsewhere for this configuration, as text (e.g. "97.36 %").</summary>
    public string Published { get; init; } = "";

    /// <summary>Where <see cref="Published"/> comes from.</summary>
    public string Source { get; init; } = "";

    /// <summary>The least test accuracy our run must reach (0..1).</summary>
    public float Floor { get; init; }

    /// <summary>How many networks, trained from consecutive seeds, vote as an <see cref="Ensemble"/> (1: a single network).</summary>
    public int EnsembleSize { get; init; } = 1;

    /// <summary>
    /// Trains a fresh model by this recipe with <paramref name="seed"/> and returns it with its history.
    /// <paramref name="options"/> replaces the recipe's (its schedule is sized from the epochs it gives);
    /// <paramref name="learningRate"/> replaces the optimizer's base rate, which the schedule still multiplies.
    /// With a <paramref name="validation"/> set its accuracy is measured after every epoch (and early stopping, if the
    /// options ask for it, watches it). With <paramref name="resume"/>, a checkpoint of the same run, training continues
    /// from it and ends where the uninterrupted run would.
    /// </summary>
    public (Sequential Model, TrainingHistory History) Train(Dataset train, Dataset? test, int seed = 1,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default, TrainingOptions? options = null,
        float? learningRate = null, Dataset? validation = null, TrainingCheckpoint? resume = null)
    {
        Sequential model = CreateModel(new Rng(seed));
        Optimizer optimizer = CreateOptimizer(model);
        if (learningRate is float rate)
        {
            optimizer.LearningRate = rate;
        }
        var trainer = new Trainer(model, CreateLoss(), optimizer);
        TrainingHistory history = trainer.Fit(Shape(train), test is null ? null : Shape(test), (options ?? Options) with { Seed = seed }, progress, cancellation,
            validation is null ? null : Shape(validation), resume);
        return (model, history);
    }

    /// <summary>The dataset with each example seen in this recipe's <see cref="InputShape"/> (no copy).</summary>
    public Dataset Shape(Dataset data) =>
        data.ExampleShape.SequenceEqual(InputShape) ? data : data.Reshape(InputShape);
}
