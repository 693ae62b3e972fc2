using NotebookNet.Activations;
using NotebookNet.Layers;
using NotebookNet.Losses;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Layers;

public class SequentialTests
{
    [Fact]
    public void WholeModelGradientMatchesFiniteDifferences()
    {
        var rng = new Rng(11);
        var model = new Sequential(new Linear(6, 5, init: Init.Glorot, rng: rng), new Tanh(), new Linear(5, 4, init: Init.Glorot, rng: rng), new Sigmoid(), new Linear(4, 3, rng: rng));
        Tensor x = Tensor.RandomNormal(rng, 0, 1, 5, 6);
        GradientAssert.Passes(GradientCheck.CheckModel(model, new CrossEntropyLoss(), x, [0, 2, 1, 1, 0]));
    }

    [Fact]
    public void ParametersOnlyBackwardGivesTheSameParameterGradients()
    {
        var rng = new Rng(12);
        Sequential Make() => new(new Linear(8, 6, rng: new Rng(1)), new ReLU(), new Linear(6, 3, rng: new Rng(2)));
        Sequential a = Make(), b = Make();
        Tensor x = Tensor.RandomNormal(rng, 0, 1, 4, 8);
        Tensor g = Tensor.RandomNormal(rng, 0, 1, 4, 3);
        a.Forward(x);
        a.Backward(g);
        b.Forward(x);
        b.BackwardParametersOnly(g);
        for (int i = 0; i < a.Parameters.Count; i++)
        {
            Assert.Equal(a.Parameters[i].Gradient.Data, b.Parameters[i].Gradient.Data);
        }
    }

    [Fact]
    public void OutputShapeWalksTheLayersAndNamesAMismatch()
    {
        var model = new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10));
        Assert.Equal(new[] { 32, 10 }, model.OutputShape([32, 784]));
        Assert.Equal(784 * 128 + 128 + 128 * 10 + 10, model.ParameterCount);
        Assert.Throws<ArgumentException>(() => model.OutputShape([32, 100]));
    }
}
