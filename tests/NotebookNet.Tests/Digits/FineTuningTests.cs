using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Preprocessing;

namespace NotebookNet.Tests.Digits;

public class FineTuningTests(MnistFixture mnist, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<MnistFixture>
{
    [Fact]
    public void TheMixHoldsTheMnistSampleAndTheExtraDigitsAtTheirShare()
    {
        MnistSplit extra = mnist.Test.Subset(Enumerable.Range(0, 30));
        MnistSplit mix = FineTuning.Mix(mnist.Train, extra, mnistCount: 900, extraShare: 0.1f, seed: 3);
        Assert.Equal(900 + 3 * 30, mix.Count);                       // 3 copies make 90 of 990, about a tenth
        Assert.Equal(extra.Pixels, mix.Pixels.AsSpan(900 * 784, 30 * 784).ToArray());
        Assert.Equal(mix.Pixels, FineTuning.Mix(mnist.Train, extra, 900, 0.1f, seed: 3).Pixels);
        Assert.Throws<ArgumentException>(() => FineTuning.Mix(mnist.Train, mnist.Test.Subset([]), 900));
        Assert.Throws<ArgumentException>(() => FineTuning.Mix(mnist.Train, extra, 900, extraShare: 1f));
    }

    [Fact]
    public void FineTuningOnDrawingsReadsUnseenDrawingsBetterAndKeepsMnist()
    {
        // A small MLP trained on MNIST only, then fine-tuned on 300 generated drawings; judged on 300 others.
        Recipe recipe = Recipe.W1;
        var (model, _) = recipe.Train(mnist.Train.ToDataset(recipe.Scaling, 10_000), null, seed: 1, options: recipe.Options with { Epochs = 3 });
        var classifier = DigitClassifier.For(recipe, model);
        List<DrawnDigit> drawings = new DrawnDigits().Generate(600, seed: 11).ToList();
        MnistSplit seen = Robustness.Prepare(drawings.Take(300)).Preprocessed, unseen = Robustness.Prepare(drawings.Skip(300)).Preprocessed;
        MnistSplit test = mnist.Test.Subset(Enumerable.Range(0, 3_000));
        float unseenBefore = classifier.Accuracy(unseen), mnistBefore = classifier.Accuracy(test);

        FineTuning.Run(recipe, model, FineTuning.Mix(mnist.Train, seen, 10_000, 0.1f), null, epochs: 2, rateFactor: 0.3f);

        float unseenAfter = classifier.Accuracy(unseen), mnistAfter = classifier.Accuracy(test);
        log.WriteLine($"unseen drawings {unseenBefore:P2} → {unseenAfter:P2}; MNIST {mnistBefore:P2} → {mnistAfter:P2}");
        Assert.True(unseenAfter > unseenBefore + 0.02f, $"unseen drawings {unseenBefore:P2} → {unseenAfter:P2}");
        Assert.True(mnistAfter > mnistBefore - 0.01f, $"MNIST {mnistBefore:P2} → {mnistAfter:P2}");
    }
}
