using NotebookNet.Layers;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Layers;

public class PoolingAndDropoutTests
{
    [Theory]
    [InlineData(2, null)]
    [InlineData(3, 2)]
    [InlineData(2, 1)]
    public void MaxPoolGradientMatchesFiniteDifferences(int kernel, int? stride)
    {
        // Distinct values spaced wider than ε: no ties, so the maximum does not move under the nudge.
        var rng = new Rng(kernel);
        int count = 2 * 3 * 7 * 7;
        int[] order = Enumerable.Range(0, count).ToArray();
        rng.Shuffle(order.AsSpan());
        var input = new Tensor(order.Select(v => v * 0.1f).ToArray(), 2, 3, 7, 7);
        GradientAssert.Passes(GradientCheck.CheckLayer(new MaxPool2d(kernel, stride), input, seed: 2));
    }

    [Fact]
    public void MaxPoolByHand()
    {
        var input = new Tensor(new float[] { 1, 5, 2, 0, 3, 4, 8, 1, 0, 0, 1, 2, 9, 0, 3, 7 }, 1, 1, 4, 4);
        var pool = new MaxPool2d(2);
        Assert.Equal(new float[] { 5, 8, 9, 7 }, pool.Forward(input).Data);
        Tensor dx = pool.Backward(new Tensor(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2));
        Assert.Equal(new float[] { 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 4 }, dx.Data);
    }

    [Theory]
    [InlineData(2, 2, 7)]    // the unrolled path, rows of three windows: one at a time
    [InlineData(2, 2, 13)]   // six windows a row: four at a time, then the last four again, overlapping
    [InlineData(2, 2, 20)]   // ten windows, as small-cnn pools
    [InlineData(3, 3, 7)]
    [InlineData(2, 1, 7)]
    public void MaxPoolTakesTheFirstOfEqualMaximaAndPassesNaNOn(int kernel, int stride, int width)
    {
        // Values from {0, 1, 2} tie often. Odd sizes leave rows and columns no window covers.
        var rng = new Random(kernel * 10 + stride + width);
        float[] values = Enumerable.Range(0, 2 * 3 * 9 * width).Select(_ => (float)rng.Next(3)).ToArray();
        float[] withNaN = values.Select(v => rng.Next(30) == 0 ? float.NaN : v).ToArray();
        var pool = new MaxPool2d(kernel, stride);
        Tensor output = pool.Forward(new Tensor(values, 2, 3, 9, width));
        Tensor ones = new(output.Shape.ToArray());
        ones.Data.AsSpan().Fill(1f);
        float[] routed = pool.Backward(ones).Data;
        float[] outputWithNaN = new MaxPool2d(kernel, stride).Forward(new Tensor(withNaN, 2, 3, 9, width)).Data;

        var expectedRouted = new float[values.Length];
        int at = 0;
        for (int plane = 0; plane < 6; plane++)
        {
            for (int i = 0; i < output.Size(2); i++)
            {
                for (int j = 0; j < output.Size(3); j++, at++)
                {
                    // The definition, in scan order: only a larger value moves the choice.
                    int best = -1;
                    bool sawNaN = false;
                    for (int u = 0; u < kernel; u++)
                    {
                        for (int v = 0; v < kernel; v++)
                        {
                            int index = (plane * 9 + i * stride + u) * width + j * stride + v;
                            best = best < 0 || values[index] > values[best] ? index : best;
                            sawNaN |= float.IsNaN(withNaN[index]);
                        }
                    }
                    Assert.Equal(values[best], output.Data[at]);
                    expectedRouted[best] += 1f;
                    Assert.True(sawNaN ? float.IsNaN(outputWithNaN[at]) : outputWithNaN[at] == values[best], $"window {at} with NaN: {outputWithNaN[at]}");
                }
            }
        }
        Assert.Equal(expectedRouted, routed);
    }

    [Fact]
    public void DropoutDropsTheRightFractionKeepsTheMeanAndBackpropagatesThroughItsMask()
    {
        var dropout = new Dropout(0.25f, new Rng(1));
        Tensor x = Tensor.Full(2f, 100, 100);
        Tensor y = dropout.Forward(x);
        double dropped = y.Data.Count(v => v == 0f) / (double)y.Length;
        Assert.InRange(dropped, 0.23, 0.27);
        Assert.InRange(y.Data.Average(), 1.95, 2.05);
        Assert.All(y.Data, v => Assert.True(v == 0f || Math.Abs(v - 2f / 0.75f) < 1e-5));
        Tensor g = Tensor.RandomNormal(new Rng(2), 0, 1, 100, 100);
        Tensor dx = dropout.Backward(g);
        for (int i = 0; i < dx.Length; i++)
        {
            Assert.Equal(g.Data[i] * dropout.Mask[i], dx.Data[i]);
        }
    }

    [Fact]
    public void DropoutIsTheIdentityInEvaluationAndSeeded()
    {
        Tensor x = Tensor.RandomNormal(new Rng(3), 0, 1, 10, 10);
        var dropout = new Dropout(0.5f, new Rng(4)) { IsTraining = false };
        Assert.Same(x, dropout.Forward(x));
        GradientAssert.Passes(GradientCheck.CheckLayer(dropout, x));
        Assert.Equal(new Dropout(0.5f, new Rng(5)).Forward(x).Data, new Dropout(0.5f, new Rng(5)).Forward(x).Data);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1f, new Rng(0)));
    }
}
