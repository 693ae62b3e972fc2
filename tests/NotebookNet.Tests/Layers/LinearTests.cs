using NotebookNet.Layers;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Layers;

public class LinearTests
{
    [Theory]
    [InlineData(1, 5, 3, true)]
    [InlineData(4, 7, 2, true)]
    [InlineData(3, 20, 9, false)]
    [InlineData(70, 33, 17, true)]
    public void GradientsMatchFiniteDifferences(int batch, int inFeatures, int outFeatures, bool bias)
    {
        var rng = new Rng(batch + inFeatures);
        var layer = new Linear(inFeatures, outFeatures, rng, bias, Init.Glorot);
        if (layer.Bias is not null)
        {
            layer.Bias.Value.Data.AsSpan().Fill(0.3f);
        }
        Tensor input = Tensor.RandomNormal(rng, 0, 1, batch, inFeatures);
        GradientAssert.Passes(GradientCheck.CheckLayer(layer, input, seed: 3));
    }

    [Fact]
    public void ForwardComputesWxPlusBByHand()
    {
        var layer = new Linear(2, 3, new Rng(0));
        Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }).Data.CopyTo(layer.Weight.Value.Data, 0);
        layer.Bias!.Value.Data[2] = 10f;
        Tensor y = layer.Forward(Tensor.FromArray(new float[,] { { 1, -1 } }));
        Assert.Equal(new float[] { -1, -1, 9 }, y.Data);
    }

    [Fact]
    public void BackwardAddsIntoTheGradient()
    {
        var layer = new Linear(3, 2, rng: new Rng(1));
        Tensor x = Tensor.RandomNormal(new Rng(2), 0, 1, 4, 3);
        Tensor g = Tensor.RandomNormal(new Rng(3), 0, 1, 4, 2);
        layer.Forward(x);
        layer.Backward(g);
        float[] once = (float[])layer.Weight.Gradient.Data.Clone();
        layer.Backward(g);
        for (int i = 0; i < once.Length; i++)
        {
            Assert.Equal(2 * once[i], layer.Weight.Gradient.Data[i], 4);
        }
    }

    [Fact]
    public void WrongInputShapeIsNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => new Linear(784, 10, new Rng(0)).Forward(new Tensor(2, 783)));
        Assert.Contains("expects input (N, 784), got (2, 783)", error.Message);
    }

    [Fact]
    public void SameSeedSameWeights()
    {
        Assert.Equal(new Linear(30, 20, rng: new Rng(9)).Weight.Value.Data, new Linear(30, 20, rng: new Rng(9)).Weight.Value.Data);
    }

    [Theory]
    [InlineData(Init.He, 2.0)]
    [InlineData(Init.LeCun, 1.0)]
    [InlineData(Init.Glorot, 2.0 * 400 / (400 + 300))]
    public void InitialisersHaveTheirVariance(Init init, double fanInTimesVariance)
    {
        var layer = new Linear(400, 300, init: init, rng: new Rng(4));
        double variance = layer.Weight.Value.Data.Select(w => (double)w * w).Average();
        Assert.InRange(variance * 400, fanInTimesVariance * 0.95, fanInTimesVariance * 1.05);
    }
}
