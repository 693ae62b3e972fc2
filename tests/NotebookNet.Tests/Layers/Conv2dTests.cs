using NotebookNet.Layers;
using NotebookNet.Tensors;
using NotebookNet.Tests.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Layers;

public class Conv2dTests
{
    [Theory]
    [InlineData(1, 1, 1, 3, 1, 0, 5, 5)]
    [InlineData(2, 3, 4, 3, 1, 1, 6, 5)]
    [InlineData(3, 2, 2, 3, 2, 0, 7, 7)]
    [InlineData(2, 2, 3, 5, 2, 2, 9, 8)]
    [InlineData(4, 1, 8, 5, 1, 0, 12, 12)]
    public void GradientsMatchFiniteDifferences(int batch, int inChannels, int outChannels, int kernel, int stride, int padding, int height, int width)
    {
        var rng = new Rng(batch * 100 + kernel * 10 + stride);
        var layer = new Conv2d(inChannels, outChannels, kernel, rng, stride, padding, init: Init.Glorot);
        layer.Bias!.Value.Data.AsSpan().Fill(0.1f);
        Tensor input = Tensor.RandomNormal(rng, 0, 1, batch, inChannels, height, width);
        GradientAssert.Passes(GradientCheck.CheckLayer(layer, input, seed: 4));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    public void MatchesTheDefinitionComputedDirectly(int stride, int padding)
    {
        var rng = new Rng(9);
        var layer = new Conv2d(3, 4, 3, rng, stride, padding);
        Tensor.RandomNormal(rng, 0, 1, 4).Data.CopyTo(layer.Bias!.Value.Data, 0);
        Tensor x = Tensor.RandomNormal(rng, 0, 1, 2, 3, 8, 7);
        Tensor y = layer.Forward(x);
        int[] shape = layer.OutputShape(x.Shape);
        Assert.Equal(shape, y.Shape);
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 4; o++)
                for (int i = 0; i < shape[2]; i++)
                    for (int j = 0; j < shape[3]; j++)
                    {
                        double sum = layer.Bias.Value.Data[o];
                        for (int c = 0; c < 3; c++)
                            for (int u = 0; u < 3; u++)
                                for (int v = 0; v < 3; v++)
                                {
                                    int r = i * stride - padding + u, s = j * stride - padding + v;
                                    if (r >= 0 && r < 8 && s >= 0 && s < 7)
                                    {
                                        sum += layer.Weight.Value[o, c, u, v] * x[n, c, r, s];
                                    }
                                }
                        Assert.Equal(sum, y[n, o, i, j], 4);
                    }
    }

    [Theory]
    [InlineData(1, 8, 5, 0, 28, 28)]    // the seed CNN's first layer
    [InlineData(8, 8, 5, 0, 24, 24)]    // and its second
    [InlineData(1, 6, 5, 2, 28, 28)]    // LeNet-5's first: six channels, a group of four half empty
    [InlineData(6, 16, 5, 0, 14, 14)]
    [InlineData(16, 32, 3, 1, 14, 14)]  // best-cnn's
    [InlineData(3, 5, 1, 0, 7, 9)]      // a 1×1 kernel, odd sizes
    [InlineData(2, 3, 3, 2, 5, 4)]      // padding as wide as the kernel's reach, k − 1
    [InlineData(2, 3, 3, 3, 5, 4)]      // wider: the input gradient's correlation starts a row and a column early
    [InlineData(3, 2, 2, 3, 6, 5)]      // an even kernel, padding two past its reach
    [InlineData(5, 7, 4, 1, 3, 11)]     // an even kernel, a thin image
    public void ReadingTheImageInPlaceAgreesWithIm2Col(int inChannels, int outChannels, int kernel, int padding, int height, int width)
    {
        var rng = new Rng(inChannels * 31 + outChannels * 7 + kernel);
        var inPlace = new Conv2d(inChannels, outChannels, kernel, rng, padding: padding);
        Tensor.RandomNormal(rng, 0, 1, outChannels).Data.CopyTo(inPlace.Bias!.Value.Data, 0);
        var im2col = new Conv2d(inChannels, outChannels, kernel, rng, padding: padding) { UseIm2Col = true };
        inPlace.Weight.Value.Data.CopyTo(im2col.Weight.Value.Data, 0);
        inPlace.Bias.Value.Data.CopyTo(im2col.Bias!.Value.Data, 0);
        Tensor x = Tensor.RandomNormal(rng, 0, 1, 3, inChannels, height, width);

        Tensor expected = im2col.Forward(x), actual = inPlace.Forward(x);
        AssertClose(expected.Data, actual.Data, "output");
        Tensor gradient = Tensor.RandomNormal(rng, 0, 1, expected.Shape.ToArray());
        Tensor expectedDx = im2col.Backward(gradient), actualDx = inPlace.Backward(gradient);
        AssertClose(expectedDx.Data, actualDx.Data, "input gradient");
        AssertClose(im2col.Weight.Gradient.Data, inPlace.Weight.Gradient.Data, "weight gradient");
        AssertClose(im2col.Bias.Gradient.Data, inPlace.Bias.Gradient.Data, "bias gradient");
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + Math.Abs(expected[i])), $"{what}[{i}]: im2col {expected[i]:R}, in place {actual[i]:R}");
        }
    }

    [Fact]
    public void AnEdgeFilterByHand()
    {
        // A vertical-edge filter on an image that is dark on the left and bright on the right.
        var layer = new Conv2d(1, 1, 3, new Rng(0), bias: false);
        float[] filter = { -1, 0, 1, -1, 0, 1, -1, 0, 1 };
        filter.CopyTo(layer.Weight.Value.Data, 0);
        var image = new Tensor(1, 1, 4, 4);
        for (int r = 0; r < 4; r++)
        {
            image[0, 0, r, 2] = 1f;
            image[0, 0, r, 3] = 1f;
        }
        Tensor y = layer.Forward(image);
        Assert.Equal(new[] { 1, 1, 2, 2 }, y.Shape);
        Assert.Equal(new float[] { 3, 3, 3, 3 }, y.Data);
    }

    [Fact]
    public void TheSeedNetworksShapes()
    {
        var model = new Sequential(new Conv2d(1, 8, 5, new Rng(1)), new Conv2d(8, 8, 5, new Rng(2)), new MaxPool2d(2), new Flatten());
        Assert.Equal(new[] { 1, 8, 24, 24 }, model.Layers[0].OutputShape([1, 1, 28, 28]));
        Assert.Equal(new[] { 1, 800 }, model.OutputShape([1, 1, 28, 28]));
    }

    [Fact]
    public void WrongShapesAreNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => new Conv2d(3, 8, 3, new Rng(0)).Forward(new Tensor(2, 1, 28, 28)));
        Assert.Contains("expects input (N, 3, H, W), got (2, 1, 28, 28)", error.Message);
        Assert.Throws<ArgumentException>(() => new Conv2d(1, 8, 5, new Rng(0)).Forward(new Tensor(1, 1, 4, 4)));
    }

    [Fact]
    public void ParametersOnlyBackwardGivesTheSameWeightGradient()
    {
        var a = new Conv2d(2, 3, 3, new Rng(1), 1, 1);
        var b = new Conv2d(2, 3, 3, new Rng(1), 1, 1);
        Tensor x = Tensor.RandomNormal(new Rng(2), 0, 1, 5, 2, 6, 6);
        Tensor g = Tensor.RandomNormal(new Rng(3), 0, 1, 5, 3, 6, 6);
        a.Forward(x);
        a.Backward(g);
        b.Forward(x);
        b.BackwardParametersOnly(g);
        Assert.Equal(a.Weight.Gradient.Data, b.Weight.Gradient.Data);
        Assert.Equal(a.Bias!.Gradient.Data, b.Bias!.Gradient.Data);
    }
}

[Collection(nameof(MatMulSettings))]
public class Conv2dVectorWidthTests
{
    [Theory]
    [InlineData(1, 16, 3, 1, 28)]   // best-cnn's first layer: 28 + 2 wide, tiles of 24 or 48 positions end mid-row
    [InlineData(8, 8, 5, 0, 24)]    // the seed CNN's second
    [InlineData(6, 16, 5, 0, 14)]   // LeNet-5's second: fewer positions than one 512-bit tile holds
    public void The512BitTilesGiveTheNarrowerTilesBits(int inChannels, int outChannels, int kernel, int padding, int size)
    {
        // Where the processor has no AVX-512, .NET emulates the 512-bit vectors: slower, and the same bits still.
        var rng = new Rng(size + kernel);
        var layer = new Conv2d(inChannels, outChannels, kernel, rng, padding: padding);
        Tensor.RandomNormal(rng, 0, 1, outChannels).Data.CopyTo(layer.Bias!.Value.Data, 0);
        Tensor x = Tensor.RandomNormal(rng, 0, 1, 3, inChannels, size, size);
        Tensor gradient = Tensor.RandomNormal(rng, 0, 1, layer.OutputShape(x.Shape));

        (float[] Output, float[] InputGradient, float[] WeightGradient) Run(bool wide)
        {
            (float[], float[], float[]) result = default;
            MatMulSettings.With(wide, 2, () =>
            {
                foreach (Parameter parameter in layer.Parameters)
                {
                    parameter.ZeroGradient();
                }
                float[] output = layer.Forward(x).Data.ToArray();
                float[] dx = layer.Backward(gradient).Data.ToArray();
                result = (output, dx, layer.Weight.Gradient.Data.ToArray());
            });
            return result;
        }

        var narrow = Run(wide: false);
        var wide = Run(wide: true);
        Assert.Equal(narrow.Output, wide.Output);
        Assert.Equal(narrow.InputGradient, wide.InputGradient);
        Assert.Equal(narrow.WeightGradient, wide.WeightGradient);
    }
}
