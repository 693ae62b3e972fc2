using NotebookNet.Losses;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Losses;

public class LossTests
{
    [Fact]
    public void CrossEntropyGradientMatchesFiniteDifferences()
    {
        Tensor logits = Tensor.RandomNormal(new Rng(1), 0, 3, 6, 10);
        GradientAssert.Passes(GradientCheck.CheckLoss(new CrossEntropyLoss(), logits, [0, 9, 3, 3, 7, 1], epsilon: 1e-2f));
    }

    [Fact]
    public void MseGradientMatchesFiniteDifferences()
    {
        Tensor output = Tensor.RandomUniform(new Rng(2), 0, 1, 5, 10);
        GradientAssert.Passes(GradientCheck.CheckLoss(new MseLoss(), output, [1, 2, 3, 4, 5], epsilon: 1e-2f));
    }

    [Fact]
    public void CrossEntropyIsMinusLogOfTheRightProbabilityAndItsGradientIsPMinusY()
    {
        var loss = new CrossEntropyLoss();
        Tensor logits = Tensor.FromArray(new float[,] { { 0f, MathF.Log(3f) } }); // p = (0.25, 0.75)
        Assert.Equal(-MathF.Log(0.75f), loss.Forward(logits, [1]), 5);
        float[] gradient = loss.Backward().Data;
        Assert.Equal(0.25f, gradient[0], 5);
        Assert.Equal(-0.25f, gradient[1], 5);
    }

    [Fact]
    public void CrossEntropyIsFiniteForHugeLogits()
    {
        var loss = new CrossEntropyLoss();
        float value = loss.Forward(Tensor.FromArray(new float[,] { { 1000f, -1000f } }), [1]);
        Assert.Equal(2000f, value, 1);
    }

    [Fact]
    public void MseUsesRashidsTargetsAndHalvesTheSquare()
    {
        var loss = new MseLoss();
        float value = loss.Forward(Tensor.FromArray(new float[,] { { 0.01f, 0.49f } }), [1]);
        Assert.Equal(0.5f * 0.5f * 0.5f, value, 5);
        Assert.Equal(-0.5f, loss.Backward().Data[1], 5);
    }

    [Fact]
    public void LabelsOutsideTheClassesAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Forward(new Tensor(1, 10), [10]));
        Assert.Contains("label 10 is outside 0..9", error.Message);
        Assert.Throws<ArgumentException>(() => new MseLoss().Forward(new Tensor(2, 10), [1]));
    }
}
