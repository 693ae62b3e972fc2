using NotebookNet.Activations;
using NotebookNet.Layers;
using NotebookNet.Optimizers;
using NotebookNet.Tensors;

namespace NotebookNet.Tests.Tensors;

/// <summary>
/// Element-wise passes run in parts on the threads: every value in exactly one part, and the values of one pass on one
/// thread for a ReLU, a weight average and a convolution's sum of per-image weight gradients (an optimizer's update:
/// <see cref="Optimizers.OptimizerPartsTests"/>).
/// </summary>
[Collection(nameof(MatMulSettings))]
public class EachPartTests
{
    [Theory]
    [InlineData(0, 1024)]
    [InlineData(2047, 1024)]
    [InlineData(2048, 1024)]
    [InlineData(50_001, 16_384)]
    [InlineData(4609, 1024)]
    public void EveryValueIsInExactlyOnePart(int length, int partLength)
    {
        foreach (int threads in new[] { 1, 2 })
        {
            var visits = new int[length];
            var parts = new System.Collections.Concurrent.ConcurrentBag<(int Offset, int Count)>();
            MatMulSettings.With(MatMul.UseVector512, threads, () => EachPart.Run(length, (offset, count) =>
            {
                parts.Add((offset, count));
                for (int i = offset; i < offset + count; i++)
                {
                    Interlocked.Increment(ref visits[i]);
                }
            }, partLength));
            Assert.All(visits, v => Assert.Equal(1, v));
            if (threads == 1 || length < 2 * partLength)
            {
                Assert.Equal([(0, length)], parts);
                continue;
            }
            // As many parts as a multiple of the threads, at most partLength long, all but the last a multiple of 16 and equal.
            Assert.Equal(0, parts.Count % threads);
            (int Offset, int Count)[] ordered = parts.OrderBy(part => part.Offset).ToArray();
            Assert.All(ordered, part => Assert.InRange(part.Count, 1, partLength));
            Assert.All(ordered[..^1], part => Assert.Equal(ordered[0].Count, part.Count));
            Assert.Equal(0, ordered[0].Count % 16);
        }
    }

    [Fact]
    public void ReLUInPartsOnTwoThreadsGivesTheBitsOfOnePass()
    {
        // 50,001 values: three whole parts of 16,384 and an odd last one; zeros, negative zeros and NaN among them.
        var rng = new Rng(8);
        Tensor x = Tensor.RandomNormal(rng, 0, 1, 3, 16_667);
        x.Data[0] = 0f;
        x.Data[16_384] = -0f;
        x.Data[50_000] = float.NaN;
        Tensor dy = Tensor.RandomNormal(rng, 0, 1, 3, 16_667);

        (float[] Output, float[] InputGradient) OnThreads(int threads)
        {
            (float[], float[]) result = default;
            MatMulSettings.With(MatMul.UseVector512, threads, () =>
            {
                var relu = new ReLU();
                result = (relu.Forward(x).Data.ToArray(), relu.Backward(dy).Data.ToArray());
            });
            return result;
        }

        var one = OnThreads(1);
        var two = OnThreads(2);
        Assert.Equal(one.Output, two.Output);
        Assert.Equal(one.InputGradient, two.InputGradient);
        Assert.Equal(0f, one.InputGradient[50_000]);
        Assert.True(float.IsNaN(one.Output[50_000]));
    }

    [Fact]
    public void AWeightAverageInPartsOnTwoThreadsGivesTheBitsOfOnePass()
    {
        float[] OnThreads(int threads)
        {
            float[] values = [];
            MatMulSettings.With(MatMul.UseVector512, threads, () =>
            {
                var rng = new Rng(9);
                var parameter = new Parameter("w", Tensor.RandomNormal(rng, 0, 1, 50_001));
                var average = new WeightAverage([parameter], decay: 0.99f);
                for (int step = 0; step < 3; step++)
                {
                    Tensor.RandomNormal(rng, 0, 1, 50_001).Data.CopyTo(parameter.Value.Data, 0);
                    average.Update();
                }
                values = average.Averages[0].ToArray();
            });
            return values;
        }

        Assert.Equal(OnThreads(1), OnThreads(2));
    }

    [Fact]
    public void AConvolutionsWeightGradientSummedInPartsOnTwoThreadsGivesTheBitsOfOnePass()
    {
        // 16 → 32 channels, 3 × 3: 4,608 weights, five parts of 1,024 (the last partial); images summed in order.
        var rng = new Rng(10);
        var layer = new Conv2d(16, 32, 3, rng, padding: 1);
        Tensor x = Tensor.RandomNormal(rng, 0, 1, 5, 16, 7, 7);
        Tensor dy = Tensor.RandomNormal(rng, 0, 1, layer.OutputShape(x.Shape));

        float[] OnThreads(int threads)
        {
            float[] gradient = [];
            MatMulSettings.With(MatMul.UseVector512, threads, () =>
            {
                layer.Weight.ZeroGradient();
                layer.Forward(x);
                layer.Backward(dy);
                gradient = layer.Weight.Gradient.Data.ToArray();
            });
            return gradient;
        }

        Assert.Equal(OnThreads(1), OnThreads(2));
    }
}
