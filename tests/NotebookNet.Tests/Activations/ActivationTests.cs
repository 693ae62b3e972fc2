using NotebookNet.Activations;
using NotebookNet.Layers;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Activations;

public class ActivationTests
{
    public static TheoryData<string> Names => new() { "ReLU", "Sigmoid", "Tanh", "Softmax" };

    private static ILayer Create(string name) => name switch
    {
        "ReLU" => new ReLU(),
        "Sigmoid" => new Sigmoid(),
        "Tanh" => new Tanh(),
        "Softmax" => new Softmax(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void GradientsMatchFiniteDifferences(string name)
    {
        Tensor input = Tensor.RandomNormal(new Rng(7), 0, 2, 4, 9);
        if (name == "ReLU")
        {
            // Keep every input away from the kink at 0, where the derivative does not exist.
            for (int i = 0; i < input.Length; i++)
            {
                input.Data[i] += input.Data[i] >= 0 ? 0.1f : -0.1f;
            }
        }
        GradientAssert.Passes(GradientCheck.CheckLayer(Create(name), input, seed: 5, epsilon: 1e-3f));
    }

    [Fact]
    public void ValuesMatchTheirDefinitions()
    {
        Tensor x = Tensor.FromArray(new float[,] { { -2f, 0f, 3f } });
        Assert.Equal(new float[] { 0, 0, 3 }, new ReLU().Forward(x).Data);
        Assert.Equal(1 / (1 + MathF.Exp(2f)), new Sigmoid().Forward(x).Data[0], 5);
        Assert.Equal(MathF.Tanh(3f), new Tanh().Forward(x).Data[2], 5);
        float[] p = new Softmax().Forward(x).Data;
        float total = MathF.Exp(-2) + 1 + MathF.Exp(3);
        Assert.Equal(MathF.Exp(3) / total, p[2], 5);
        Assert.Equal(1f, p.Sum(), 5);
    }

    [Fact]
    public void SoftmaxIsStableForHugeLogits()
    {
        float[] p = new Softmax().Forward(Tensor.FromArray(new float[,] { { 1000f, 1000f, -1000f } })).Data;
        Assert.Equal(new[] { 0.5f, 0.5f, 0f }, p);
    }
}
