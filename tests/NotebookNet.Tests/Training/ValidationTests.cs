using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Layers;
using NotebookNet.Training;

namespace NotebookNet.Tests.Training;

public class ValidationTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    [Fact]
    public void HoldOutSplitsOffTheSameDigitsForTheSameSeedAndLosesNone()
    {
        MnistSplit digits = mnist.Train.Subset(Enumerable.Range(0, 1_000));
        (MnistSplit kept, MnistSplit heldOut) = digits.HoldOut(100, seed: 1);
        Assert.Equal((900, 100), (kept.Count, heldOut.Count));
        Assert.Equal(digits.HoldOut(100, seed: 1).HeldOut.Pixels, heldOut.Pixels);
        Assert.NotEqual(digits.HoldOut(100, seed: 2).HeldOut.Pixels, heldOut.Pixels);
        // Every digit ends up on exactly one side: the two halves' images, together, are the original ones.
        static IEnumerable<string> Images(MnistSplit split) =>
            Enumerable.Range(0, split.Count).Select(i => Convert.ToBase64String(split.Pixels, i * 784, 784) + split.Labels[i]);
        Assert.Equal(Images(digits).Order(), Images(kept).Concat(Images(heldOut)).Order());
        // Not the first or last 100: spread over the whole set.
        Assert.NotEqual(digits.Subset(Enumerable.Range(0, 100)).Pixels, heldOut.Pixels);
        Assert.NotEqual(digits.Subset(Enumerable.Range(900, 100)).Pixels, heldOut.Pixels);
        Assert.Throws<ArgumentOutOfRangeException>(() => digits.HoldOut(1_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => digits.HoldOut(-1));
    }

    [Fact]
    public void ValidationAccuracyIsMeasuredAfterEveryEpochAndTheBestEpochComesFromIt()
    {
        (MnistSplit kept, MnistSplit heldOut) = mnist.Train.Subset(Enumerable.Range(0, 3_000)).HoldOut(500);
        Dataset validation = heldOut.ToDataset();
        var (model, history) = Recipe.W1.Train(kept.ToDataset(), mnist.Test.ToDataset(count: 500), seed: 1,
            options: Recipe.W1.Options with { Epochs = 3 }, validation: validation);
        Assert.All(history, epoch => Assert.NotNull(epoch.ValidationAccuracy));
        Assert.Equal(Evaluation.Accuracy(model, validation), history[^1].ValidationAccuracy);
        float bestAccuracy = history.Max(epoch => epoch.ValidationAccuracy!.Value);
        Assert.Equal(bestAccuracy, history[history.BestEpoch - 1].ValidationAccuracy);
        Assert.Contains("valid.", history.ToString());
        Assert.Contains("validation accuracy", history.ToDataFrame().Columns.Select(c => c.Name));
    }

    [Fact]
    public void EarlyStoppingStopsWhenValidationStallsAndKeepsTheBestWeights()
    {
        // A validation set of random labels: its accuracy wanders, so it stops improving within a few epochs.
        MnistSplit digits = mnist.Train.Subset(Enumerable.Range(0, 2_000));
        var rng = new NotebookNet.Tensors.Rng(5);
        MnistSplit noise = new(digits.Subset(Enumerable.Range(0, 300)).Pixels, Enumerable.Range(0, 300).Select(_ => (byte)rng.NextInt(10)).ToArray());
        Dataset validation = noise.ToDataset();
        TrainingOptions options = Recipe.W1.Options with { Epochs = 40, EarlyStoppingPatience = 2 };
        var (model, history) = Recipe.W1.Train(digits.ToDataset(), null, seed: 1, options: options, validation: validation);
        Assert.True(history.StoppedEarly, history.ToString());
        Assert.Equal(history.BestEpoch + 2, history.Count);
        Assert.Equal(history[history.BestEpoch - 1].ValidationAccuracy, Evaluation.Accuracy(model, validation));

        Assert.Throws<ArgumentException>(() => Recipe.W1.Train(digits.ToDataset(), null, options: options));
    }
}
