using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Layers;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Training;

public class EnsembleTests
{
    [Fact]
    public void AveragesTheMembersProbabilities()
    {
        // Two one-layer "networks" whose logits are the inputs themselves, scaled.
        Sequential Scaled(float factor)
        {
            var linear = new Linear(2, 2, new Rng(0), bias: false, init: Init.Zeros);
            linear.Weight.Value.Data[0] = factor;
            linear.Weight.Value.Data[3] = factor;
            return new Sequential(linear);
        }
        var data = new Dataset(Tensor.FromArray(new float[,] { { 1f, 0f }, { 0f, 2f } }), [0, 1]);
        var ensemble = new Ensemble([Scaled(1f), Scaled(3f)]);
        Tensor p = ensemble.Probabilities(data);
        double p00 = (1 / (1 + Math.Exp(-1)) + 1 / (1 + Math.Exp(-3))) / 2;
        Assert.Equal(p00, p[0, 0], 5);
        Assert.Equal(1f, p[1, 0] + p[1, 1], 5);
        Assert.Equal(1f, ensemble.Accuracy(data));
        Assert.Throws<ArgumentException>(() => new Ensemble([]));
    }

    [Fact]
    public void ManyBatchesGiveTheSameProbabilitiesAsOne()
    {
        var rng = new Rng(3);
        var data = new Dataset(Tensor.RandomNormal(rng, 0, 1, 2500, 6), new int[2500]);
        var members = new[] { new Sequential(new Linear(6, 4, rng: new Rng(1))), new Sequential(new Linear(6, 4, rng: new Rng(2))) };
        var ensemble = new Ensemble(members);
        Tensor inOne = ensemble.Probabilities(data, batchSize: 2500);
        Tensor inMany = ensemble.Probabilities(data, batchSize: 300);
        for (int i = 0; i < inOne.Length; i++)
        {
            Assert.Equal(inOne.Data[i], inMany.Data[i], 6);
        }
    }
}
