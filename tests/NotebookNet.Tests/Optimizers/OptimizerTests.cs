using NotebookNet.Optimizers;
using NotebookNet.Tensors;
using NotebookNet.Tests.Tensors;

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
    public void AdamStepsEachValueAsItsFormulaDoesBitForBit()
    {
        // The step works on whole vectors; each value must still get the bits of the formula written out per value.
        var rng = new Random(3);
        float[] start = Enumerable.Range(0, 37).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        var p = new Parameter("p", new Tensor(start.ToArray(), 37));
        var adam = new Adam([p], learningRate: 0.01f, weightDecay: 0.001f);
        float[] theta = start.ToArray(), m = new float[37], v = new float[37];
        for (int step = 1; step <= 3; step++)
        {
            float[] gradient = Enumerable.Range(0, 37).Select(_ => (float)rng.NextDouble() * 2f - 1f).ToArray();
            gradient.CopyTo(p.Gradient.Data, 0);
            adam.Step();
            float stepSize = 0.01f / (1f - MathF.Pow(0.9f, step));
            float inverse = 1f / MathF.Sqrt(1f - MathF.Pow(0.999f, step));
            for (int j = 0; j < 37; j++)
            {
                float g = gradient[j] + 0.001f * theta[j];
                m[j] = 0.9f * m[j] + (1f - 0.9f) * g;
                v[j] = 0.999f * v[j] + (1f - 0.999f) * g * g;
                theta[j] -= stepSize * m[j] / (MathF.Sqrt(v[j]) * inverse + 1e-8f);
            }
            Assert.Equal(theta, p.Value.Data);
        }
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

    [Fact]
    public void TheScheduleMultipliesTheBaseRateAndTheBaseRateStays()
    {
        Parameter p = Make(1f, 2f);
        var sgd = new Sgd([p], learningRate: 0.1f) { ScheduleFactor = 0.5f };
        sgd.Step();
        Assert.Equal(0.9f, p.Value.Data[0], 6); // θ − 0.1·0.5·2
        Assert.Equal(0.1f, sgd.LearningRate);
        Assert.Equal(0.05f, sgd.CurrentLearningRate, 7);
    }

    [Fact]
    public void ZeroGradientsClearsEveryGradientAndBadArgumentsAreNamed()
    {
        Parameter a = Make(1f, 2f), b = Make(3f, 4f);
        var adam = new Adam([a, b]);
        adam.ZeroGradients();
        Assert.Equal(0f, a.Gradient[0]);
        Assert.Equal(0f, b.Gradient[0]);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([a], 0.1f, momentum: 1f)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([a], 0.1f, weightDecay: -1f)).ParamName);
        Assert.Equal("LearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([a], -0.1f)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([a], beta2: 1f)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam([a], epsilon: 0f)).ParamName);
    }

    [Fact]
    public void AfterAStepTheNextBackwardOverwritesTheSpentGradientAsIfItHadBeenZeroed()
    {
        var rng = new Rng(5);
        var a = new NotebookNet.Layers.Linear(3, 2, new Rng(1));
        var b = new NotebookNet.Layers.Linear(3, 2, new Rng(1));
        Tensor x = Tensor.RandomNormal(rng, 0, 1, 4, 3), g = Tensor.RandomNormal(rng, 0, 1, 4, 2);
        var sgdA = new Sgd(a.Parameters, 0.1f);
        var sgdB = new Sgd(b.Parameters, 0.1f);
        for (int step = 0; step < 3; step++)
        {
            a.Forward(x);
            a.Backward(g);
            sgdA.Step();              // leaves the gradients spent
            sgdB.ZeroGradients();     // the eager way
            b.Forward(x);
            b.Backward(g);
            sgdB.Step();
        }
        Assert.Equal(a.Weight.Value.Data, b.Weight.Value.Data);
        Assert.Equal(a.Bias!.Value.Data, b.Bias!.Value.Data);
        // Reading the gradient changes nothing: it still holds what the last step used.
        float[] before = (float[])a.Weight.Gradient.Data.Clone();
        Assert.Equal(before, a.Weight.Gradient.Data);
    }
}

/// <summary>A large parameter is updated in parts on the threads; the values must be those of one pass on one thread.</summary>
[Collection(nameof(MatMulSettings))]
public class OptimizerPartsTests
{
    public static TheoryData<string> Optimizers => new() { "sgd", "momentum", "adam" };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void AParameterUpdatedInPartsOnTwoThreadsGetsTheBitsOfOnePass(string kind)
    {
        float[] OnThreads(int threads)
        {
            float[] values = [];
            MatMulSettings.With(MatMul.UseVector512, threads, () =>
            {
                var rng = new Random(5);
                // 50,001 values: three whole parts of 16,384 and an odd last one.
                var p = new Parameter("p", new Tensor(Enumerable.Range(0, 50_001).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray(), 50_001));
                Optimizer optimizer = kind switch
                {
                    "sgd" => new Sgd([p], learningRate: 0.1f),
                    "momentum" => new Sgd([p], learningRate: 0.1f, momentum: 0.9f, weightDecay: 1e-3f),
                    _ => new Adam([p], learningRate: 0.01f, weightDecay: 1e-3f),
                };
                for (int step = 0; step < 3; step++)
                {
                    for (int j = 0; j < p.Gradient.Length; j++)
                    {
                        p.Gradient.Data[j] = (float)rng.NextDouble() * 2f - 1f;
                    }
                    optimizer.Step();
                }
                values = p.Value.Data.ToArray();
            });
            return values;
        }

        Assert.Equal(OnThreads(1), OnThreads(2));
    }
}
