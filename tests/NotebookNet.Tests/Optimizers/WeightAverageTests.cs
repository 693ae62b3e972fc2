using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Optimizers;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Optimizers;

public class WeightAverageTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    [Fact]
    public void AverageFollowsTheFormula()
    {
        var parameter = new Parameter("w", new Tensor(2));
        var average = new WeightAverage([parameter], decay: 0.5f);
        float expected = 0f;
        for (int t = 1; t <= 30; t++)
        {
            parameter.Value.Data[0] = t;
            parameter.Value.Data[1] = -t;
            average.Update();
            float d = Math.Min(0.5f, (1f + t) / (10f + t));
            expected = d * expected + (1 - d) * t;
        }
        average.Apply();
        Assert.Equal(expected, parameter.Value.Data[0], 4);
        Assert.Equal(-expected, parameter.Value.Data[1], 4);
        Assert.Throws<InvalidOperationException>(average.Update);
        average.Restore();
        Assert.Equal(30f, parameter.Value.Data[0]);
    }

    [Fact]
    public void EveryValueIsAveragedBitForBitAsTheFormulaWrittenPerValue()
    {
        // The update works on whole vectors; 37 values cover the vectors and the scalar rest.
        var rng = new Random(5);
        var parameter = new Parameter("w", new Tensor(37));
        var average = new WeightAverage([parameter], decay: 0.99f);
        float[] expected = new float[37]; // the average starts as the parameters were: zeros
        for (int t = 1; t <= 20; t++)
        {
            for (int j = 0; j < 37; j++)
            {
                parameter.Value.Data[j] = (float)rng.NextDouble() - 0.5f;
            }
            average.Update();
            float d = Math.Min(0.99f, (1f + t) / (10f + t));
            for (int j = 0; j < 37; j++)
            {
                expected[j] += (1f - d) * (parameter.Value.Data[j] - expected[j]);
            }
        }
        average.Apply();
        Assert.Equal(expected, parameter.Value.Data);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(-0.1f)]
    [InlineData(float.NaN)]
    public void DecayOutsideTheRangeIsRejected(float decay) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WeightAverage([], decay));

    [Fact]
    public void TrainerReportsBothAndEndsWithTheAverage()
    {
        Dataset train = mnist.Train.ToDataset(count: 3000);
        Dataset test = mnist.Test.ToDataset(count: 1000);
        TrainingOptions options = Recipe.W1.Options with { Epochs = 2, WeightAveraging = 0.99f };
        var (model, history) = Recipe.W1.Train(train, test, seed: 2, options: options);
        Assert.All(history, epoch => Assert.NotNull(epoch.TrainedTestAccuracy));
        Assert.Equal(history[^1].TestAccuracy!.Value, Evaluation.Accuracy(model, test), 5);
        var (plain, _) = Recipe.W1.Train(train, null, seed: 2, options: options with { WeightAveraging = null });
        Assert.NotEqual(plain.Parameters[0].Value.Data, model.Parameters[0].Value.Data);
        Assert.Contains("averaged weights", history.ToString());
    }
}
