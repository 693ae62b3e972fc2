using NotebookNet.Tensors;

namespace NotebookNet.Tests.Tensors;

/// <summary>
/// The fixed-order sums equal, bit for bit, the order their documentation states, written out as scalar loops; .ci/run
/// repeats these with the narrower vector widths, so each width's code is held to the same bits.
/// </summary>
public class FixedOrderTests
{
    private static float[] Values(int length, int seed)
    {
        var rng = new Random(seed);
        // Magnitudes over six orders, so that any change of order shows in the last bits.
        return Enumerable.Range(0, length).Select(_ => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 3)))).ToArray();
    }

    /// <summary>The documented order: <paramref name="lanes"/> running sums of every lanes-th term, folded in halves, then the rest in turn.</summary>
    private static float InDocumentedOrder(int count, Func<int, float> term, int lanes, Func<float, int, float> addRest)
    {
        int whole = count - count % lanes;
        var sums = new float[lanes];
        for (int i = 0; i < whole; i++)
        {
            sums[i % lanes] += term(i);
        }
        for (int width = lanes / 2; width >= 1; width /= 2)
        {
            for (int lane = 0; lane < width; lane++)
            {
                sums[lane] += sums[lane + width];
            }
        }
        float total = sums[0];
        for (int i = whole; i < count; i++)
        {
            total = addRest(total, i);
        }
        return total;
    }

    [Fact]
    public void SumDotAndSumOfSquaresAddInTheDocumentedOrder()
    {
        for (int length = 0; length <= 70; length++)
        {
            float[] x = Values(length, length), y = Values(length, 1000 + length);
            Assert.Equal(InDocumentedOrder(length, i => x[i], 8, (t, i) => t + x[i]), FixedOrder.Sum(x));
            Assert.Equal(InDocumentedOrder(length, i => x[i] * y[i], 8, (t, i) => t + x[i] * y[i]), FixedOrder.Dot(x, y));
            Assert.Equal(InDocumentedOrder(length, i => x[i] * x[i], 8, (t, i) => t + x[i] * x[i]), FixedOrder.SumOfSquares(x));
        }
    }

    [Fact]
    public void SumAndDotInOnePassGiveTheBitsOfEachOnItsOwn()
    {
        for (int length = 0; length <= 70; length++)
        {
            float[] x = Values(length, length), y = Values(length, 1000 + length);
            (float sum, float dot) = FixedOrder.SumAndDot(x, y);
            Assert.Equal(InDocumentedOrder(length, i => x[i], 8, (t, i) => t + x[i]), sum);
            Assert.Equal(InDocumentedOrder(length, i => x[i] * y[i], 8, (t, i) => t + x[i] * y[i]), dot);
        }
        Assert.Contains("3 and 4", Assert.Throws<ArgumentException>(() => FixedOrder.SumAndDot(new float[3], new float[4])).Message);
    }

    [Fact]
    public void TheOrderIsNotTheNaiveOne()
    {
        // The comparison above could not fail if every order gave the same bits: these values do not.
        float[] x = Values(1000, 7);
        float naive = 0;
        foreach (float value in x)
        {
            naive += value;
        }
        Assert.NotEqual(naive, FixedOrder.Sum(x));
    }

    [Fact]
    public void ADotProductOfUnequalLengthsIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => FixedOrder.Dot(new float[3], new float[4]));
        Assert.Contains("3 and 4", error.Message);
    }

    [Fact]
    public void ABatchOfOneSumsEachDotProductInTheDocumentedOrder()
    {
        // y = x·Wᵀ for one row x: sixteen running sums of multiply-adds (fused where the processor has them), folded in
        // halves, then the rest in turn.
        float MultiplyAdd(float a, float b, float c) => MatMul.HasFusedMultiplyAdd ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;
        foreach (int k in new[] { 2, 15, 16, 17, 100, 784 })
        {
            const int n = 7; // four rows at a time, then three one by one
            float[] x = Values(k, k), w = Values(n * k, 2 * k), y = new float[n];
            MatMul.Multiply(x, w, y, 1, n, k, transposeB: true);
            int whole = k - k % 16;
            for (int j = 0; j < n; j++)
            {
                var sums = new float[16];
                for (int i = 0; i < whole; i++)
                {
                    sums[i % 16] = MultiplyAdd(x[i], w[j * k + i], sums[i % 16]);
                }
                float expected = InDocumentedOrder(16, i => sums[i], 16, (t, _) => t);
                for (int i = whole; i < k; i++)
                {
                    expected = MultiplyAdd(x[i], w[j * k + i], expected);
                }
                Assert.True(expected == y[j], $"k={k}, row {j}: {y[j]:R}, the documented order gives {expected:R}");
            }
        }
    }
}
