using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Optimizers;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Digits;

/// <summary>
/// Teaching a trained digit model someone's own handwriting without making it forget MNIST: keep training it, at a
/// fraction of its recipe's learning rate, on the new digits mixed into a sample of MNIST's training digits. The mix
/// keeps MNIST in view, so the new digits pull the weights only as far as MNIST lets them.
/// </summary>
public static class FineTuning
{
    /// <summary>
    /// <paramref name="mnistCount"/> MNIST training digits drawn at random (by <paramref name="seed"/>) with every one of
    /// the <paramref name="extra"/> digits repeated until they make up about <paramref name="extraShare"/> of the mix.
    /// </summary>
    /// <exception cref="ArgumentException">There are no extra digits, or the share is not between 0 and 1.</exception>
    public static MnistSplit Mix(MnistSplit mnist, MnistSplit extra, int mnistCount, float extraShare = 0.1f, int seed = 1)
    {
        if (extra.Count == 0)
        {
            throw new ArgumentException("there are no extra digits to fine-tune on", nameof(extra));
        }
        if (!(extraShare is > 0f and < 1f))
        {
            throw new ArgumentException($"the extra digits' share must be between 0 and 1, got {extraShare}", nameof(extraShare));
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(mnistCount);
        int[] order = Enumerable.Range(0, mnist.Count).ToArray();
        new Rng(seed).Shuffle(order.AsSpan());
        int count = Math.Min(mnistCount, mnist.Count);
        int copies = Math.Max(1, (int)MathF.Round(extraShare / (1f - extraShare) * count / extra.Count));
        MnistSplit sample = mnist.Subset(order.Take(count));
        var pixels = new byte[(long)(count + copies * extra.Count) * Mnist.Pixels];
        var labels = new byte[count + copies * extra.Count];
        sample.Pixels.CopyTo(pixels, 0);
        sample.Labels.CopyTo(labels, 0);
        for (int copy = 0; copy < copies; copy++)
        {
            int at = count + copy * extra.Count;
            extra.Pixels.CopyTo(pixels, (long)at * Mnist.Pixels);
            extra.Labels.CopyTo(labels, at);
        }
        return new MnistSplit(pixels, labels);
    }

    /// <summary>
    /// Continues training <paramref name="model"/> (trained by <paramref name="recipe"/>) on <paramref name="mix"/> for
    /// <paramref name="epochs"/> epochs with the recipe's loss, optimiser, batch size, schedule and distortions, its
    /// learning rate multiplied by <paramref name="rateFactor"/>. The model is changed in place; the history measures
    /// <paramref name="test"/> after each epoch.
    /// </summary>
    public static TrainingHistory Run(Recipe recipe, Sequential model, MnistSplit mix, MnistSplit? test, int epochs = 1, float rateFactor = 0.1f,
        int seed = 1, IProgress<TrainingProgress>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        if (!(rateFactor > 0f))
        {
            throw new ArgumentException($"the learning-rate factor must be positive, got {rateFactor}", nameof(rateFactor));
        }
        Optimizer optimizer = recipe.CreateOptimizer(model);
        optimizer.LearningRate *= rateFactor;
        var trainer = new Trainer(model, recipe.CreateLoss(), optimizer);
        TrainingOptions options = recipe.Options with { Epochs = epochs, Seed = seed, WeightAveraging = null };
        return trainer.Fit(recipe.Shape(mix.ToDataset(recipe.Scaling)), test is null ? null : recipe.Shape(test.ToDataset(recipe.Scaling)), options, progress);
    }
}
