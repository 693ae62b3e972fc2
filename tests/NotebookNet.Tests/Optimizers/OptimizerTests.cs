using NotebookNet.Optimizers;
using NotebookNet.Tensors;

namespace NotebookNet.Tests.Optimizers;

public class OptimizerTests
{
    private static Parameter Make(float value, float gradient)
    {
        var p = new Parameter("p", Tensor.FromArray(value));
        p.Gradient.Data[0] = gradient;
        return p;
    }

    [Fact]
    public void SgdStepsAgainstTheGradient()
    {
        Parameter p = Make(1f, 2f);
        new Sgd([p], learningRate: 0.1f).Step();
        Assert.Equal(0.8f, p.Value.Data[0], 6);
    }

    [Fact]
    public void MomentumAccumulatesVelocityAndWeightDecayPullsToZero()
    {
        Parameter p = Make(1f, 1f);
        var sgd = new Sgd([p], learningRate: 0.1f, momentum: 0.9f);
        sgd.Step(); // v = 1, θ = 0.9
        sgd.Step(); // v = 1.9, θ = 0.71
        Assert.Equal(0.71f, p.Value.Data[0], 5);

        Parameter q = Make(2f, 0f);
        new Sgd([q], learningRate: 0.5f, weightDecay: 0.1f).Step(); // g = 0.2, θ = 1.9
        Assert.Equal(1.9f, q.Value.Data[0], 5);
    }

    [Fact]
    public void AdamFirstStepIsTheLearningRateInTheGradientsDirection()
    {
        Parameter p = Make(0f, -3f);
        new Adam([p], learningRate: 0.01f).Step();
        Assert.Equal(0.01f, p.Value.Data[0], 5);
    }

    [Fact]
    public void AdamMinimisesAQuadratic()
    {
        Parameter p = Make(5f, 0f);
        var adam = new Adam([p], learningRate: 0.1f);
        for (int i = 0; i < 500; i++)
        {
            p.Gradient.Data[0] = 2 * (p.Value.Data[0] - 3f); // d/dθ (θ − 3)²
            adam.Step();
        }
        Assert.Equal(3f, p.Value.Data[0], 1);
    }

    [Fact]
    public void BadHyperparametersAreRejected()
    {
        Parameter p = Make(0f, 0f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], learningRate: -1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], learningRate: 0.1f, momentum: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], learningRate: float.NaN));
    }
}
