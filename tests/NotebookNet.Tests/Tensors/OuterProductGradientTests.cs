using NotebookNet.Activations;
using NotebookNet.Layers;
using NotebookNet.Losses;
using NotebookNet.Optimizers;
using NotebookNet.Tensors;

namespace NotebookNet.Tests.Tensors;

/// <summary>
/// A dense layer's weight gradient for a batch of one, held as an outer product instead of written out
/// (<see cref="Parameter.SetOuterProduct"/>): what it reads as, and training with it gives the bits of training with the
/// written gradient, for plain SGD (which updates from the two vectors) and for the optimizers that read it written.
/// </summary>
[Collection(nameof(MatMulSettings))]
public class OuterProductGradientTests
{
    [Fact]
    public void IsKeptOnlyWhenTheGradientWouldBeOverwrittenAndReadsAsTheProduct()
    {
        var p = new Parameter("w", new Tensor(2, 3));
        float[] left = [2f, -0.5f], right = [1f, 3f, -4f];
        Assert.False(p.SetOuterProduct(left, right)); // not spent: a layer would add to it
        p.MarkGradientSpent();
        Assert.False(p.SetOuterProduct(left, [1f, 3f])); // wrong shape
        Assert.True(p.SetOuterProduct(left, right));
        Assert.True(p.TryGetOuterProduct(out _, out _));
        Assert.Equal([2f, 6f, -8f, -0.5f, -1.5f, 2f], p.Gradient.Data);
        Assert.False(p.TryGetOuterProduct(out _, out _)); // written on that first read

        // Added to: the pending product is written first, then the layer adds with β = 1.
        p.MarkGradientSpent();
        Assert.True(p.SetOuterProduct(left, right));
        (Tensor gradient, float beta) = p.GradientForAccumulation();
        Assert.Equal(1f, beta);
        Assert.Equal([2f, 6f, -8f, -0.5f, -1.5f, 2f], gradient.Data);

        // Zeroed: the pending product is dropped.
        p.MarkGradientSpent();
        Assert.True(p.SetOuterProduct(left, right));
        p.ZeroGradient();
        Assert.All(p.Gradient.Data, g => Assert.Equal(0f, g));
    }

    public static TheoryData<string, int> Cases => new()
    {
        { "sgd", 1 }, { "sgd", 2 }, { "momentum", 2 }, { "adam", 2 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void PerSampleTrainingGivesTheBitsOfTheWrittenGradient(string kind, int threads)
    {
        MatMulSettings.With(MatMul.UseVector512, threads, () =>
        {
            // 784 × 64 = 50,176 first-layer weights: four parts on two threads, each starting inside a row.
            (Sequential Model, Optimizer Optimizer) Create()
            {
                var rng = new Rng(4);
                var model = new Sequential(new Linear(784, 64, rng), new Sigmoid(), new Linear(64, 10, rng, bias: false), new Sigmoid());
                Optimizer optimizer = kind switch
                {
                    "sgd" => new Sgd(model.Parameters, learningRate: 0.1f),
                    "momentum" => new Sgd(model.Parameters, learningRate: 0.1f, momentum: 0.9f, weightDecay: 1e-3f),
                    _ => new Adam(model.Parameters, learningRate: 0.01f),
                };
                return (model, optimizer);
            }
            var (written, writtenOptimizer) = Create();
            var (held, heldOptimizer) = Create();
            var loss = new MseLoss(0.01f, 0.99f);
            var data = new Rng(9);
            bool usedOuterProducts = false;
            for (int step = 0; step < 25; step++)
            {
                Tensor x = Tensor.RandomNormal(data, 0, 1, 1, 784);
                for (int i = 0; i < 784; i += 3)
                {
                    x.Data[i] = 0f;
                }
                int[] label = [step % 10];

                // Zeroing first makes the layer add its gradient with the matrix product instead of holding it.
                writtenOptimizer.ZeroGradients();
                loss.Forward(written.Forward(x), label);
                written.Backward(loss.Backward());

                loss.Forward(held.Forward(x), label);
                held.Backward(loss.Backward());
                usedOuterProducts |= held.Parameters[0].TryGetOuterProduct(out _, out _);
                if (step % 5 == 4)
                {
                    // Read before the step: written out, the same values as the product the other layer wrote.
                    for (int i = 0; i < written.Parameters.Count; i++)
                    {
                        Assert.Equal(written.Parameters[i].Gradient.Data, held.Parameters[i].Gradient.Data);
                    }
                }
                writtenOptimizer.Step();
                heldOptimizer.Step();
                for (int i = 0; i < written.Parameters.Count; i++)
                {
                    Assert.Equal(written.Parameters[i].Value.Data, held.Parameters[i].Value.Data);
                }
            }
            Assert.True(usedOuterProducts);
        });
    }
}
