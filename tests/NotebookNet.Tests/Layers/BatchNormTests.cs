using NotebookNet.Layers;
using NotebookNet.Tensors;
using NotebookNet.Training;
using NotebookNet.Tests.Tensors;

namespace NotebookNet.Tests.Layers;

[Collection(nameof(MatMulSettings))]
public class BatchNormTests
{
    [Theory]
    [InlineData(true, 6, 3, 0, 0)]
    [InlineData(true, 3, 2, 4, 5)]
    [InlineData(false, 6, 3, 0, 0)]
    [InlineData(false, 2, 4, 3, 3)]
    public void GradientsMatchFiniteDifferences(bool training, int batch, int channels, int height, int width)
    {
        var rng = new Rng(batch * 10 + channels);
        var layer = new BatchNorm(channels) { IsTraining = training };
        Tensor.RandomNormal(rng, 1f, 0.5f, channels).Data.CopyTo(layer.Weight.Value.Data, 0);
        Tensor.RandomNormal(rng, 0f, 0.5f, channels).Data.CopyTo(layer.Bias.Value.Data, 0);
        Tensor.RandomNormal(rng, 0f, 0.5f, channels).Data.CopyTo(layer.RunningMean.Data, 0);
        Tensor.RandomUniform(rng, 0.5f, 2f, channels).Data.CopyTo(layer.RunningVariance.Data, 0);
        int[] shape = height == 0 ? [batch, channels] : [batch, channels, height, width];
        Tensor input = Tensor.RandomNormal(rng, 2f, 3f, shape);
        GradientAssert.Passes(GradientCheck.CheckLayer(layer, input, seed: 4));
    }

    [Fact]
    public void TrainingNormalisesEachChannelAndUpdatesTheRunningStatistics()
    {
        var layer = new BatchNorm(2, momentum: 0.5f);
        // Channel 0 holds 1, 2, 3, 4 across the batch; channel 1 holds 10, 10, 10, 10.
        var input = new Tensor([1, 10, 2, 10, 3, 10, 4, 10], 4, 2);
        Tensor output = layer.Forward(input);
        float deviation = MathF.Sqrt(1.25f + 1e-5f); // the biased variance of 1..4 is 1.25
        Assert.Equal((1 - 2.5f) / deviation, output[0, 0], 5);
        Assert.Equal((4 - 2.5f) / deviation, output[3, 0], 5);
        Assert.Equal(0f, output[2, 1], 5);
        Assert.Equal(0.5f * 0 + 0.5f * 2.5f, layer.RunningMean[0], 6);
        Assert.Equal(0.5f * 1 + 0.5f * (1.25f * 4 / 3), layer.RunningVariance[0], 5); // unbiased: × m/(m − 1)
        Assert.Equal(0.5f * 1 + 0.5f * 0, layer.RunningVariance[1], 6);
    }

    [Fact]
    public void EvaluationUsesTheRunningStatisticsNotTheBatch()
    {
        var layer = new BatchNorm(1) { IsTraining = false };
        layer.RunningMean[0] = 2f;
        layer.RunningVariance[0] = 4f;
        Tensor output = layer.Forward(new Tensor([2, 6], 2, 1));
        Assert.Equal(0f, output[0, 0], 5);
        Assert.Equal(4f / MathF.Sqrt(4f + 1e-5f), output[1, 0], 5);
        Assert.Equal(2f, layer.RunningMean[0]);
    }

    [Fact]
    public void BadShapesAndArgumentsAreNamed()
    {
        Assert.Contains("expects input (N, 3)", Assert.Throws<ArgumentException>(() => new BatchNorm(3).Forward(new Tensor(2, 4))).Message);
        Assert.Contains("at least 2 values", Assert.Throws<ArgumentException>(() => new BatchNorm(3).Forward(new Tensor(1, 3))).Message);
        Assert.Equal("numFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm(0)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm(2, momentum: 2f)).ParamName);
    }

    [Theory]
    [InlineData(true, 0, 0)]
    [InlineData(true, 5, 7)]
    [InlineData(false, 5, 7)]
    public void EveryThreadCountGivesTheSameBits(bool training, int height, int width)
    {
        // Each channel is one thread's work, its sums in sample order: one thread or two, the same bits.
        float[][] Run(int threads)
        {
            var rng = new Rng(11);
            var layer = new BatchNorm(6) { IsTraining = training };
            Tensor.RandomNormal(rng, 1f, 0.5f, 6).Data.CopyTo(layer.Weight.Value.Data, 0);
            int[] shape = height == 0 ? [33, 6] : [33, 6, height, width];
            Tensor input = Tensor.RandomNormal(rng, 2f, 3f, shape), outputGradient = Tensor.RandomNormal(rng, 0f, 1f, shape);
            float[][] results = [];
            MatMulSettings.With(MatMul.UseVector512, threads, () =>
            {
                Tensor output = layer.Forward(input);
                Tensor inputGradient = layer.Backward(outputGradient);
                results = [output.Data, inputGradient.Data, layer.Weight.Gradient.Data, layer.Bias.Gradient.Data, layer.RunningMean.Data, layer.RunningVariance.Data];
            });
            return results;
        }
        float[][] one = Run(1), two = Run(2);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.Equal(one[i], two[i]);
        }
    }
}
