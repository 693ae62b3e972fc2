using System.Runtime.Intrinsics;
using NotebookNet.Tensors;

namespace NotebookNet.Tests.Tensors;

[Collection(nameof(MatMulSettings))]
public class MatMulTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 10, 784 }, { 7, 1, 5 }, { 5, 9, 1 }, { 6, 16, 8 }, { 6, 32, 8 }, { 13, 17, 19 },
        { 64, 128, 784 }, { 97, 33, 300 }, { 200, 70, 513 }, { 3, 100, 2 }, { 128, 10, 64 },
        { 128, 800, 32 }, { 300, 700, 20 }, // more rows than one block, shallow: the threads split the columns
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FastMatchesNaiveForEveryTransposeAndKernel(int m, int n, int k)
    {
        var rng = new Rng(m * 1000 + n * 10 + k);
        foreach (bool wide in new[] { false, true }.Where(w => !w || System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated))
        {
            foreach (int threads in new[] { 1, 2 })
            {
                foreach ((bool ta, bool tb) in new[] { (false, false), (true, false), (false, true), (true, true) })
                {
                    foreach ((float alpha, float beta) in new[] { (1f, 0f), (0.5f, 1f), (-2f, 0.25f) })
                    {
                        float[] a = Tensor.RandomNormal(rng, 0, 1, m * k).Data;
                        float[] b = Tensor.RandomNormal(rng, 0, 1, k * n).Data;
                        float[] c0 = Tensor.RandomNormal(rng, 0, 1, m * n).Data;
                        float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
                        NaiveMatMul.Multiply(a, b, expected, m, n, k, ta, tb, alpha, beta);
                        MatMulSettings.With(wide, threads, () => MatMul.Multiply(a, b, actual, m, n, k, ta, tb, alpha, beta));
                        AssertClose(expected, actual, k, $"m={m} n={n} k={k} ta={ta} tb={tb} α={alpha} β={beta} wide={wide} threads={threads}");
                    }
                }
            }
        }
    }

    [Fact]
    public void TheKernelIsTheWidestThisProcessRunsAndTheSwitchesNarrowIt()
    {
        // .ci/run runs these tests again with DOTNET_EnableAVX512=0 (the AVX2 kernel; .NET 10 ignores the older
        // DOTNET_EnableAVX512F), with DOTNET_PreferredVectorBitWidth=128 (the 128-bit kernel with fused multiply-adds, as
        // on Arm64) and with DOTNET_EnableAVX=0 (the 128-bit kernel without them, as on x64 without AVX), so every kernel
        // this machine can execute is compared with the naive product above. This names the kernel each run used.
        int expected = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? 16 : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 8 : 4;
        Assert.Equal(expected, MatMul.VectorFloats);
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX") == "0")
        {
            Assert.Equal(4, MatMul.VectorFloats);
            Assert.Equal("128-bit 6x8 (sse, no fma)", MatMul.KernelName);
        }
        if (Environment.GetEnvironmentVariable("DOTNET_PreferredVectorBitWidth") == "128")
        {
            Assert.Equal(4, MatMul.VectorFloats);
            Assert.Contains("fma", MatMul.KernelName);
            Assert.DoesNotContain("no fma", MatMul.KernelName);
        }
        if (Environment.GetEnvironmentVariable("DOTNET_EnableAVX512") == "0")
        {
            Assert.True(MatMul.VectorFloats <= 8, MatMul.KernelName);
        }
    }

    [Fact]
    public void MultiplyAddRoundsOnceExactlyWhereTheProcessorFuses()
    {
        // (1 + 2⁻¹²)² − 1 is 2⁻¹¹ + 2⁻²⁴ rounded once, 2⁻¹¹ when the product is rounded first. MatMul.MultiplyAdd is .NET's
        // MultiplyAddEstimate, which must follow HasFusedMultiplyAdd at every width (and under every switch .ci/run sets),
        // or the scalar edges, the vector kernels and the 128/256/512-bit paths would round differently.
        float a = 1f + MathF.Pow(2, -12), c = -1f;
        float expected = MatMul.HasFusedMultiplyAdd ? MathF.FusedMultiplyAdd(a, a, c) : a * a + c;
        Assert.NotEqual(MathF.FusedMultiplyAdd(a, a, c), a * a + c);
        Assert.Equal(expected, MatMul.MultiplyAdd(a, a, c));
        Assert.Equal(expected, MatMul.MultiplyAdd(new System.Numerics.Vector<float>(a), new System.Numerics.Vector<float>(a), new System.Numerics.Vector<float>(c))[0]);
        Assert.Equal(expected, MatMul.MultiplyAdd(Vector128.Create(a), Vector128.Create(a), Vector128.Create(c))[0]);
        Assert.Equal(expected, MatMul.MultiplyAdd(Vector256.Create(a), Vector256.Create(a), Vector256.Create(c))[0]);
        Assert.Equal(expected, MatMul.MultiplyAdd(Vector512.Create(a), Vector512.Create(a), Vector512.Create(c))[0]);
    }

    [Fact]
    public void BetaZeroIgnoresNaNInTheOutput()
    {
        float[] a = [1, 2, 3, 4], b = [1, 0, 0, 1];
        float[] c = [float.NaN, float.NaN, float.NaN, float.NaN];
        MatMul.Multiply(a, b, c, 2, 2, 2);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, c);
    }

    [Fact]
    public void ResultDoesNotDependOnTheThreadCount()
    {
        var rng = new Rng(5);
        int m = 300, n = 200, k = 400;
        float[] a = Tensor.RandomNormal(rng, 0, 1, m * k).Data, b = Tensor.RandomNormal(rng, 0, 1, k * n).Data;
        float[] one = new float[m * n];
        MatMulSettings.With(MatMul.UseVector512, 1, () => MatMul.Multiply(a, b, one, m, n, k));
        // Two threads split the 300 rows into 4 blocks, three into 6, four into 4 (as many blocks as make the shares equal).
        foreach (int threads in new[] { 2, 3, 4 })
        {
            float[] many = new float[m * n];
            MatMulSettings.With(MatMul.UseVector512, threads, () => MatMul.Multiply(a, b, many, m, n, k));
            Assert.Equal(one, many);
        }
    }

    [Theory]
    [InlineData(100, 10, 600)] // three depth blocks; 100 rows end in a panel of 4
    [InlineData(1000, 10, 128)] // W4a's last layer, ten tasks of rows
    [InlineData(13, 3, 300)]
    public void AProductOfOnePanelOfColumnsGetsTheBitsOfAWiderOne(int m, int n, int k)
    {
        // With one panel of columns, the kernel reads op(A)'s rows where they lie instead of packing them; the same
        // columns of a product four panels wide are computed from packed A. Every element must be the same bits.
        var rng = new Rng(m + n + k);
        foreach (bool wide in new[] { false, true }.Where(w => !w || System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated))
        {
            int wideN = 4 * 2 * (wide ? 16 : MatMul.VectorFloats);
            foreach (int threads in new[] { 1, 2 })
            {
                foreach ((bool tb, float alpha, float beta) in new[] { (true, 1f, 1f), (false, 1f, 0f), (true, -0.7f, 0.3f) })
                {
                    float[] a = Tensor.RandomNormal(rng, 0, 1, m * k).Data;
                    float[] bWide = Tensor.RandomNormal(rng, 0, 1, k * wideN).Data;
                    // op(B)'s first n columns: B's first n rows when it is stored (n, k), else the start of each row.
                    float[] bThin = tb ? bWide[..(n * k)] : Enumerable.Range(0, k * n).Select(i => bWide[i / n * wideN + i % n]).ToArray();
                    float[] cWide = Tensor.RandomNormal(rng, 0, 1, m * wideN).Data;
                    float[] thin = Enumerable.Range(0, m * n).Select(i => cWide[i / n * wideN + i % n]).ToArray();
                    MatMulSettings.With(wide, threads, () =>
                    {
                        MatMul.Multiply(a, bWide, cWide, m, wideN, k, transposeB: tb, alpha: alpha, beta: beta);
                        MatMul.Multiply(a, bThin, thin, m, n, k, transposeB: tb, alpha: alpha, beta: beta);
                    });
                    for (int i = 0; i < m * n; i++)
                    {
                        Assert.True(BitConverter.SingleToInt32Bits(thin[i]) == BitConverter.SingleToInt32Bits(cWide[i / n * wideN + i % n]),
                            $"m={m} n={n} k={k} tb={tb} α={alpha} β={beta} wide={wide} threads={threads}: element ({i / n}, {i % n}) " +
                            $"is {thin[i]:R} alone and {cWide[i / n * wideN + i % n]:R} among {wideN} columns");
                    }
                }
            }
        }
    }

    public static TheoryData<int, int, int> SparseShapes => new()
    {
        { 64, 128, 784 }, // W1's first layer: a batch of images times the weights
        { 128, 784, 64 }, // its weight gradient
        { 13, 17, 19 }, { 97, 33, 300 }, { 7, 100, 513 }, { 2, 40, 9 }, { 200, 70, 64 },
        { 1, 128, 784 }, { 1, 10, 50 }, // one image: a vector times a matrix
    };

    [Theory]
    [MemberData(nameof(SparseShapes))]
    public void SkippingZerosChangesNoBit(int m, int n, int k)
    {
        // op(A) four-fifths zeros, as a batch of MNIST images is, whose zeros the product skips; or B (stored (k, n)) with
        // runs of zeros across its rows, as X is in a weight gradient ∂L/∂Yᵀ·X, whose rows of zeros a packed panel leaves
        // out. Either must give the dense kernels' result to the last bit, on every kernel, thread count and β.
        var rng = new Rng(m + n + k);
        foreach (bool wide in new[] { false, true }.Where(w => !w || System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated))
        {
            foreach (int threads in new[] { 1, 2 })
            {
                foreach ((bool sparseB, bool ta, bool tb, float alpha, float beta) in new[]
                {
                    (false, false, true, 1f, 1f), (false, false, false, 1f, 0f), (false, false, true, -0.7f, 0.3f),
                    (true, true, false, 1f, 0f), (true, false, false, 1f, 1f), (true, true, false, -0.7f, 0.3f),
                })
                {
                    float[] a = sparseB ? Tensor.RandomNormal(rng, 0, 1, m * k).Data : MostlyZeros(rng, m * k);
                    float[] b = sparseB ? ZeroRuns(rng, k, n) : Tensor.RandomNormal(rng, 0, 1, k * n).Data;
                    float[] c0 = Tensor.RandomNormal(rng, 0, 1, m * n).Data;
                    float[] dense = (float[])c0.Clone(), sparse = (float[])c0.Clone();
                    MatMulSettings.With(wide, threads, () => MatMul.Multiply(a, b, dense, m, n, k, ta, tb, alpha, beta), skipZeros: false);
                    MatMulSettings.With(wide, threads, () => MatMul.Multiply(a, b, sparse, m, n, k, ta, tb, alpha, beta), skipZeros: true);
                    Assert.True(dense.AsSpan().SequenceEqual(sparse),
                        $"m={m} n={n} k={k} {(sparseB ? "B" : "A")} sparse ta={ta} tb={tb} α={alpha} β={beta} wide={wide} threads={threads}: skipping zeros changed the result");
                }
            }
        }
    }

    public static TheoryData<int, int> RowShapes => new()
    {
        { 128, 784 }, { 10, 128 }, // a frozen W1 model's two layers
        { 7, 300 }, { 130, 257 }, { 64, 1 }, { 1, 40 }, { 200, 512 },
        { 26, 100 }, { 21, 60 }, { 85, 33 }, // last columns read as vectors that overlap the ones before
        { 520, 513 }, // B over 1 MB: its depth blocks shared between the cores
    };

    [Theory]
    [MemberData(nameof(RowShapes))]
    public void OneRowTimesAStoredMatrixGetsTheBitsItGetsInABatch(int n, int k)
    {
        // RowTimesMatrix (a FrozenModel's dense layers) against row 0 of a three-row product, which the blocked path
        // computes: sparse when the rows are mostly zeros, dense when they are not; every kernel, thread count and β.
        var rng = new Rng(n + k);
        // Without fused multiply-adds, the 256-bit and 512-bit kernels round once (emulated) and this product twice.
        bool sameRounding = MatMul.HasFusedMultiplyAdd || !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;
        foreach (bool wide in new[] { false, true }.Where(w => !w || System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated))
        {
            foreach (int threads in new[] { 1, 2 })
            {
                foreach ((bool mostlyZeros, float alpha, float beta) in new[] { (true, 1f, 1f), (true, 1f, 0f), (false, 1f, 1f), (true, -0.7f, 0.3f), (false, -0.7f, 0.3f) })
                {
                    float[] a = mostlyZeros ? MostlyZeros(rng, 3 * k) : Tensor.RandomNormal(rng, 0, 1, 3 * k).Data;
                    float[] b = Tensor.RandomNormal(rng, 0, 1, k * n).Data;
                    float[] c0 = Tensor.RandomNormal(rng, 0, 1, 3 * n).Data;
                    float[] batch = (float[])c0.Clone(), row = c0[..n];
                    MatMulSettings.With(wide, threads, () => MatMul.Multiply(a, b, batch, 3, n, k, alpha: alpha, beta: beta));
                    MatMulSettings.With(wide, threads, () => MatMul.RowTimesMatrix(a.AsSpan(0, k), b, row, n, k, alpha, beta));
                    string what = $"n={n} k={k} {(mostlyZeros ? "mostly zeros" : "dense")} α={alpha} β={beta} wide={wide} threads={threads}";
                    if (sameRounding)
                    {
                        Assert.True(batch.AsSpan(0, n).SequenceEqual(row), $"{what}: the row alone differs from the row in a batch");
                    }
                    else
                    {
                        Assert.All(Enumerable.Range(0, n), j => Assert.Equal(batch[j], row[j], 1e-3f));
                    }
                }
            }
        }
    }

    [Fact]
    public void OneRowTimesAStoredMatrixChecksItsArguments()
    {
        var error = Assert.Throws<ArgumentException>(() => MatMul.RowTimesMatrix(new float[10], new float[10 * 4], new float[3], 4, 10));
        Assert.Contains("C holds 3 values", error.Message);
        Assert.Throws<ArgumentException>(() => MatMul.RowTimesMatrix(new float[10], new float[39], new float[4], 4, 10));
        // No depth: y ← β·y.
        float[] y = [1f, 2f];
        MatMul.RowTimesMatrix([], [], y, 2, 0, beta: 0.5f);
        Assert.Equal([0.5f, 1f], y);
    }

    [Fact]
    public void SkippedZerosLeaveOutAnInfinityTheyFaceAndANaNInAStaysIn()
    {
        // The one difference skipping makes, and the proof that it happened: 0·∞ is NaN in the dense product, and a term
        // the sparse product never computes. A NaN of A is not a zero and must reach its row.
        int m = 16, n = 40, k = 50;
        var rng = new Rng(9);
        float[] a = MostlyZeros(rng, m * k), b = Tensor.RandomNormal(rng, 0, 1, k * n).Data;
        for (int i = 0; i < m; i++)
        {
            a[i * k + 3] = 0f; // depth 3 is zero in every row, and faces an infinity in column 5
        }
        b[3 * n + 5] = float.PositiveInfinity;
        a[7 * k + 11] = float.NaN;
        float[] dense = new float[m * n], sparse = new float[m * n];
        MatMulSettings.With(MatMul.UseVector512, 1, () => MatMul.Multiply(a, b, dense, m, n, k), skipZeros: false);
        MatMulSettings.With(MatMul.UseVector512, 1, () => MatMul.Multiply(a, b, sparse, m, n, k), skipZeros: true);
        Assert.True(float.IsNaN(dense[5]));
        // Without fused multiply-adds (DOTNET_EnableAVX=0) the dense kernels run: their rounding differs by width.
        bool skips = System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;
        Assert.True(skips != float.IsNaN(sparse[5]), skips ? "the zeros of A were not skipped" : "zeros were skipped without fused multiply-adds");
        Assert.All(Enumerable.Range(0, n), j => Assert.True(float.IsNaN(sparse[7 * n + j]), $"row 7, column {j}: the NaN of A was skipped"));
    }

    /// <summary>A (rows, columns) matrix whose runs of 8 columns are zero in 70 % of its rows, each run on its own.</summary>
    private static float[] ZeroRuns(Rng rng, int rows, int columns)
    {
        float[] values = Tensor.RandomNormal(rng, 0, 1, rows * columns).Data;
        float[] keep = Tensor.RandomUniform(rng, 0, 1, rows * ((columns + 7) / 8)).Data;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                values[i * columns + j] = keep[i * ((columns + 7) / 8) + j / 8] < 0.7f ? 0f : values[i * columns + j];
            }
        }
        return values;
    }

    private static float[] MostlyZeros(Rng rng, int length)
    {
        float[] values = Tensor.RandomNormal(rng, 0, 1, length).Data;
        float[] keep = Tensor.RandomUniform(rng, 0, 1, length).Data;
        for (int i = 0; i < length; i++)
        {
            values[i] = keep[i] < 0.8f ? 0f : values[i];
        }
        return values;
    }

    [Fact]
    public void ShortSpansAreRejectedWithTheShapeInTheMessage()
    {
        var error = Assert.Throws<ArgumentException>(() => MatMul.Multiply(new float[5], new float[6], new float[4], 2, 2, 3));
        Assert.Contains("(2, 3)", error.Message);
    }

    private static void AssertClose(float[] expected, float[] actual, int k, string what)
    {
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]) / (1 + Math.Abs(expected[i]));
            if (error > worst)
            {
                worst = error;
                at = i;
            }
        }
        // float32 sums of k products of N(0,1) values: rounding grows like √k·2⁻²⁴ relative to the terms.
        double tolerance = 1e-5 * Math.Sqrt(k) * 4;
        Assert.True(worst <= tolerance, $"{what}: largest relative difference {worst:G3} at {at} (expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)}), tolerance {tolerance:G3}");
    }
}

/// <summary>Tests that change MatMul's static settings run one at a time and restore them.</summary>
[CollectionDefinition(nameof(MatMulSettings), DisableParallelization = true)]
public class MatMulSettings
{
    public static void With(bool wide, int threads, Action action, bool skipZeros = true)
    {
        bool oldWide = MatMul.UseVector512, oldSkipZeros = MatMul.SkipZeros;
        int oldThreads = MatMul.MaxDegreeOfParallelism;
        try
        {
            MatMul.UseVector512 = wide;
            MatMul.MaxDegreeOfParallelism = threads;
            MatMul.SkipZeros = skipZeros;
            action();
        }
        finally
        {
            MatMul.UseVector512 = oldWide;
            MatMul.MaxDegreeOfParallelism = oldThreads;
            MatMul.SkipZeros = oldSkipZeros;
        }
    }
}

[Collection(nameof(MatMulSettings))]
public class MatMulReferenceTests
{
    [Fact]
    public void UseReferenceRunsTheThreeLoopsBitForBit()
    {
        var rng = new Rng(3);
        float[] a = Tensor.RandomNormal(rng, 0, 1, 13 * 70).Data, b = Tensor.RandomNormal(rng, 0, 1, 70 * 9).Data;
        float[] expected = new float[13 * 9], viaSwitch = new float[13 * 9], fast = new float[13 * 9];
        NaiveMatMul.Multiply(a, b, expected, 13, 9, 70, transposeB: false);
        MatMul.Multiply(a, b, fast, 13, 9, 70);
        MatMul.UseReference = true;
        try
        {
            Assert.StartsWith("reference", MatMul.KernelName);
            MatMul.Multiply(a, b, viaSwitch, 13, 9, 70);
        }
        finally
        {
            MatMul.UseReference = false;
        }
        Assert.Equal(expected, viaSwitch);
        Assert.NotEqual(expected, fast); // the fast kernel adds in another order: equal to rounding, not to the bit
        Assert.All(expected.Zip(fast), pair => Assert.Equal(pair.First, pair.Second, 3));
    }
}

