using System.Numerics.Tensors;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Preprocessing;
using NotebookNet.Serialization;
using NotebookNet.Tests.Preprocessing;
using NotebookNet.Training;

namespace NotebookNet.Tests.Digits;

public class DigitClassifierTests(ClassifierFixture fixture) : IClassFixture<ClassifierFixture>
{
    [Fact]
    public void PredictGivesTheDigitAndTenProbabilities()
    {
        GrayImage sheet = Pictures.OnPaper(Pictures.Mnist(fixture.Test, 0), 300, 200, 40, 20, 150);
        Prediction prediction = fixture.Classifier.Predict(sheet);
        Assert.True(prediction.Found);
        Assert.Equal(fixture.Test.Labels[0], prediction.Digit);
        Assert.Equal(10, prediction.Probabilities.Length);
        Assert.Equal(1f, prediction.Probabilities.Sum(), 4);
        var top = prediction.Top(3);
        Assert.Equal(prediction.Digit, top[0].Digit);
        Assert.True(top[0].Probability >= top[1].Probability && top[1].Probability >= top[2].Probability);
    }

    [Fact]
    public void ABlankPictureGivesNoDigit()
    {
        Prediction prediction = fixture.Classifier.Predict(Pictures.Blank(64, 64));
        Assert.False(prediction.Found);
        Assert.Equal(-1, prediction.Digit);
        Assert.StartsWith("no digit", prediction.ToString());
    }

    [Fact]
    public void ProbabilitiesMatchTheAccuracy()
    {
        var digits = new MnistSplit(fixture.Test.Pixels[..(500 * 784)], fixture.Test.Labels[..500]);
        var probabilities = fixture.Classifier.Probabilities(digits);
        int right = 0;
        for (int i = 0; i < digits.Count; i++)
        {
            right += TensorPrimitives.IndexOfMax(probabilities.Data.AsSpan(i * 10, 10)) == digits.Labels[i] ? 1 : 0;
        }
        Assert.Equal(fixture.Classifier.Accuracy(digits), right / 500f, 5);
    }

    [Fact]
    public void LoadReadsScalingAndShapeFromTheModelFile()
    {
        using var folder = new TempFolder();
        string path = folder.File("w1.nnw");
        ModelFile.Save(fixture.Classifier.Model, path, ModelInput.Mnist(PixelScaling.Standardized, [784]));
        DigitClassifier loaded = DigitClassifier.Load(path);
        Assert.Equal(PixelScaling.Standardized, loaded.Scaling);
        Assert.Equal([784], loaded.InputShape);
    }

    [Fact]
    public void ShiftingMnistDigitsLowersAccuracy()
    {
        var digits = new MnistSplit(fixture.Test.Pixels[..(1000 * 784)], fixture.Test.Labels[..1000]);
        float centred = fixture.Classifier.Accuracy(digits);
        float shifted = fixture.Classifier.Accuracy(Robustness.Shift(digits, 4, 0));
        Assert.True(shifted < centred - 0.2f, $"centred {centred:P1}, shifted 4 px {shifted:P1}");
        MnistSplit moved = Robustness.Shift(digits, -2, 3);
        Assert.Equal(digits.Pixels[(5 * 28 + 10) + 784 * 7], moved.Pixels[(8 * 28 + 8) + 784 * 7]);
    }
}
