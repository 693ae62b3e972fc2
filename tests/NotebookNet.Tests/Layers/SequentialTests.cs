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
    public void BackwardSkipsTheInputGradientUnlessAskedAndGivesTheSameParameterGradients()
    {
        var rng = new Rng(12);
        Sequential Make() => new(new Linear(8, 6, new Rng(1)), new ReLU(), new Linear(6, 3, new Rng(2)));
        Sequential a = Make(), b = Make();
        a.RequiresInputGradient = true;
        Tensor x = Tensor.RandomNormal(rng, 0, 1, 4, 8);
        Tensor g = Tensor.RandomNormal(rng, 0, 1, 4, 3);
        a.Forward(x);
        Tensor inputGradient = a.Backward(g);
        b.Forward(x);
        Tensor skipped = b.Backward(g);
        Assert.Equal([4, 8], inputGradient.Shape);
        Assert.Equal(0, skipped.Length);
        for (int i = 0; i < a.Parameters.Count; i++)
        {
            Assert.Equal(a.Parameters[i].Gradient.Data, b.Parameters[i].Gradient.Data);
        }
    }

    [Fact]
    public void StateNamesEveryTensorByLayerIndexAndIncludesBuffers()
    {
        var model = new Sequential(new Linear(4, 3, new Rng(1)), new BatchNorm(3), new ReLU(), new Linear(3, 2, new Rng(2), bias: false));
        Assert.Equal(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "3.weight"],
            model.State.Select(entry => entry.Name));
        Assert.Same(model.Layers[0].Parameters[0].Value, model.State[0].Value);
    }

    [Fact]
    public void EvaluationModeIsRestoredEvenWhenTheBodyThrows()
    {
        var model = new Sequential(new Linear(4, 3, new Rng(1)), new Dropout(0.5f, new Rng(2)));
        Assert.True(model.IsTraining);
        Assert.Throws<ArgumentException>(() =>
        {
            using (model.EvaluationMode())
            {
                Assert.False(model.IsTraining);
                model.Forward(new Tensor(2, 5));
            }
        });
        Assert.True(model.IsTraining);
    }

    [Fact]
    public void LayersLeftWithoutTheirOwnSeedWouldBeIdenticalSoTheSeedIsRequired()
    {
        // Two layers from one generator differ; the constructor has no default generator to fall back on.
        var rng = new Rng(3);
        var first = new Linear(5, 5, rng);
        var second = new Linear(5, 5, rng);
        Assert.NotEqual(first.Weight.Value.Data, second.Weight.Value.Data);
        Assert.Throws<ArgumentNullException>(() => new Linear(5, 5, null!));
    }

    [Fact]
    public void OutputShapeWalksTheLayersAndNamesAMismatch()
    {
        var model = new Sequential(new Linear(784, 128, new Rng(1)), new ReLU(), new Linear(128, 10, new Rng(2)));
        Assert.Equal(new[] { 32, 10 }, model.OutputShape([32, 784]));
        Assert.Equal(784 * 128 + 128 + 128 * 10 + 10, model.ParameterCount);
        Assert.Throws<ArgumentException>(() => model.OutputShape([32, 100]));
    }
}
