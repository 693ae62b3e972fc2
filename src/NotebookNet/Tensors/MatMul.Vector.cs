using System.Buffers;
using System.Runtime.Intrinsics;

namespace NotebookNet.Tensors;

/// <summary>Products too thin to pack: a single depth (an outer product), a single row (a vector times a matrix).</summary>
public static unsafe partial class MatMul
{
    private static void ScaleInPlace(Span<float> c, float beta)
    {
        if (beta == 0f)
        {
            c.Clear();
        }
        else if (beta != 1f)
        {
            TensorPrimitives.Multiply(c, beta, c);
        }
    }

    /// <summary>
    /// How a product too thin to pack, of <paramref name="work"/> multiply-adds, splits its <paramref name="length"/> rows
    /// or columns between the threads: not at all below 32K multiply-adds (a 784-input layer's 200 outputs for one image
    /// are 157K), else in one block per thread, a multiple of <paramref name="granule"/> long (four rows for the dot
    /// products, a 512-bit vector of columns). Each thread takes its own block (see <see cref="Workers"/>), so a layer's
    /// rows stay with one core from the forward pass to the weight gradient to the optimizer's update of the next step.
    /// </summary>
    private static (int Blocks, int BlockLength) SplitThin(int length, long work, int granule)
    {
        if (work < 1L << 15 || MaxDegreeOfParallelism == 1)
        {
            return (1, length);
        }
        int perThread = (length + MaxDegreeOfParallelism - 1) / MaxDegreeOfParallelism;
        int blockLength = (perThread + granule - 1) / granule * granule;
        return ((length + blockLength - 1) / blockLength, blockLength);
    }

    private static void OuterProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, float alpha, float beta)
    {
        int m = a.Length, n = b.Length;
        fixed (float* pa = a, pb = b, pc = c)
        {
            (nint aAddress, nint bAddress, nint cAddress) = ((nint)pa, (nint)pb, (nint)pc);
            // Each row is its own: blocks of rows on the threads change no value.
            (int blocks, int blockLength) = SplitThin(m, (long)m * n, granule: 4);
            Workers.Run(blocks, MaxDegreeOfParallelism, block =>
            {
                var bRow = new ReadOnlySpan<float>((float*)bAddress, n);
                for (int i = block * blockLength; i < Math.Min(m, (block + 1) * blockLength); i++)
                {
                    var row = new Span<float>((float*)cAddress + (long)i * n, n);
                    float scale = alpha * ((float*)aAddress)[i];
                    if (beta == 0f)
                    {
                        TensorPrimitives.Multiply(bRow, scale, row);
                    }
                    else
                    {
                        ScaleInPlace(row, beta);
                        TensorPrimitives.MultiplyAdd(bRow, scale, row, row);
                    }
                }
            });
        }
    }

    private static void VectorTimesMatrix(
        ReadOnlySpan<float> x, ReadOnlySpan<float> b, Span<float> y, int n, int k, bool transposeB, float alpha, float beta)
    {
        float[] sums = ArrayPool<float>.Shared.Rent(n);
        int[] chunkArray = ArrayPool<int>.Shared.Rent(3 * (k / 16 + 1));
        fixed (float* px = x, pb = b, pr = sums)
        fixed (int* pChunks = chunkArray)
        {
            (nint xAddress, nint bAddress, nint resultAddress) = ((nint)px, (nint)pb, (nint)pr);
            NonzeroRuns runs = transposeB ? NonzeroRuns.Of(px, k, pChunks) : default;
            // Each output is its own: blocks of outputs on the threads change no value.
            (int blocks, int blockLength) = SplitThin(n, (long)n * k, granule: transposeB ? 4 : 16);
            Workers.Run(blocks, MaxDegreeOfParallelism, block =>
            {
                int first = block * blockLength, end = Math.Min(n, first + blockLength);
                float* xs = (float*)xAddress, bs = (float*)bAddress, result = (float*)resultAddress;
                if (transposeB)
                {
                    // B stored (n, k): y[j] = Σ_p x[p]·B[j, p], a dot product per stored row, four rows at a time.
                    int j = first;
                    for (; j + 4 <= end; j += 4)
                    {
                        DotFour(xs, bs + (long)j * k, bs + (long)(j + 1) * k, bs + (long)(j + 2) * k, bs + (long)(j + 3) * k, k, runs, new Span<float>(result + j, 4));
                    }
                    Span<float> last = stackalloc float[4];
                    for (; j < end; j++)
                    {
                        // The last rows one by one, each in the same order as the others.
                        float* row = bs + (long)j * k;
                        DotFour(xs, row, row, row, row, k, runs, last);
                        result[j] = last[0];
                    }
                }
                else
                {
                    // B stored (k, n): y = Σ_p x[p]·B[p, :], one scaled row at a time.
                    var part = new Span<float>(result + first, end - first);
                    part.Clear();
                    for (int p = 0; p < k; p++)
                    {
                        if (xs[p] != 0f)
                        {
                            TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(bs + (long)p * n + first, end - first), xs[p], part, part);
                        }
                    }
                }
            });
        }
        Span<float> all = sums.AsSpan(0, n);
        if (beta == 0f)
        {
            TensorPrimitives.Multiply(all, alpha, y);
        }
        else
        {
            ScaleInPlace(y, beta);
            TensorPrimitives.MultiplyAdd(all, alpha, y, y);
        }
        ArrayPool<float>.Shared.Return(sums);
        ArrayPool<int>.Shared.Return(chunkArray);
    }

    /// <summary>
    /// Where x's whole chunks of 16 hold anything but zeros (a NaN included; everywhere when <see cref="SkipZeros"/> is
    /// off): the starts p of the chunks with a nonzero in either half (<see cref="Chunks"/>), of those with one in x[p : p + 8]
    /// (<see cref="Lows"/>) and the starts p + 8 of those with one in x[p + 8 : p + 16] (<see cref="Highs"/>), each in order.
    /// An image's border is mostly runs of zeros (42 % of an MNIST digit's chunks of 16, 61 % of its halves), whose
    /// products <see cref="DotFour"/> leaves out: each would add x[ℓ]·r[ℓ] = 0 to its running sum, which changes no bit.
    /// </summary>
    private readonly struct NonzeroRuns
    {
        public int* Chunks { get; init; }
        public int ChunkCount { get; init; }
        public int* Lows { get; init; }
        public int LowCount { get; init; }
        public int* Highs { get; init; }
        public int HighCount { get; init; }

        /// <summary>Finds the runs of x[0 : k]; <paramref name="buffer"/> holds 3·(k / 16 + 1) ints.</summary>
        public static NonzeroRuns Of(float* x, int k, int* buffer)
        {
            int capacity = k / 16 + 1, chunks = 0, lows = 0, highs = 0;
            int* chunkStarts = buffer, lowStarts = buffer + capacity, highStarts = buffer + 2 * capacity;
            int keepAll = SkipZeros ? 0 : 1;
            for (int p = 0; p + 16 <= k; p += 16)
            {
                // Without a branch: each start is written, and kept by counting it. Any set bit counts: a NaN, and −0 too.
                int low = ((Vector128.Load(x + p).AsUInt32() | Vector128.Load(x + p + 4).AsUInt32()) != Vector128<uint>.Zero ? 1 : 0) | keepAll;
                int high = ((Vector128.Load(x + p + 8).AsUInt32() | Vector128.Load(x + p + 12).AsUInt32()) != Vector128<uint>.Zero ? 1 : 0) | keepAll;
                chunkStarts[chunks] = p;
                chunks += low | high;
                lowStarts[lows] = p;
                lows += low;
                highStarts[highs] = p + 8;
                highs += high;
            }
            return new NonzeroRuns { Chunks = chunkStarts, ChunkCount = chunks, Lows = lowStarts, LowCount = lows, Highs = highStarts, HighCount = highs };
        }
    }

    /// <summary>
    /// Four dot products of x with the rows r0–r3 of length k, sharing the loads of x. Each is summed in one order whatever
    /// the vector width, so a batch of one gives the same bits on every processor with fused multiply-adds: sixteen
    /// running sums (sum ℓ takes x[ℓ]·r[ℓ], x[ℓ + 16]·r[ℓ + 16], … in turn), folded in halves — ℓ with ℓ + 8, then + 4,
    /// + 2, + 1 — then the last k mod 16 products one by one. That is one 512-bit vector per row with AVX-512, two 256-bit
    /// ones with AVX2 and four 128-bit ones elsewhere. Only the chunks of x that <paramref name="runs"/> lists as holding
    /// a nonzero are summed: whole chunks of 16 with AVX-512, halves of 8 elsewhere.
    /// </summary>
    private static void DotFour(float* x, float* r0, float* r1, float* r2, float* r3, int k, NonzeroRuns runs, Span<float> result)
    {
        int whole = k - k % 16;
        // Each row's sixteen sums, folded to four: lane ℓ holds s[ℓ] + s[ℓ + 4] + s[ℓ + 8] + s[ℓ + 12] in the fixed order.
        Vector128<float> f0, f1, f2, f3;
        if (UseVector512)
        {
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int c = 0; c < runs.ChunkCount; c++)
            {
                int p = runs.Chunks[c];
                var xv = Vector512.Load(x + p);
                s0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r0 + p), s0);
                s1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r1 + p), s1);
                s2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r2 + p), s2);
                s3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r3 + p), s3);
            }
            (f0, f1, f2, f3) = (Halve(Halve(s0)), Halve(Halve(s1)), Halve(Halve(s2)), Halve(Halve(s3)));
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            // Lanes 0–7 in s, 8–15 in t.
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            Vector256<float> t0 = default, t1 = default, t2 = default, t3 = default;
            for (int c = 0; c < runs.LowCount; c++)
            {
                int p = runs.Lows[c];
                var xs = Vector256.Load(x + p);
                s0 = Vector256.FusedMultiplyAdd(xs, Vector256.Load(r0 + p), s0);
                s1 = Vector256.FusedMultiplyAdd(xs, Vector256.Load(r1 + p), s1);
                s2 = Vector256.FusedMultiplyAdd(xs, Vector256.Load(r2 + p), s2);
                s3 = Vector256.FusedMultiplyAdd(xs, Vector256.Load(r3 + p), s3);
            }
            for (int c = 0; c < runs.HighCount; c++)
            {
                int p = runs.Highs[c];
                var xt = Vector256.Load(x + p);
                t0 = Vector256.FusedMultiplyAdd(xt, Vector256.Load(r0 + p), t0);
                t1 = Vector256.FusedMultiplyAdd(xt, Vector256.Load(r1 + p), t1);
                t2 = Vector256.FusedMultiplyAdd(xt, Vector256.Load(r2 + p), t2);
                t3 = Vector256.FusedMultiplyAdd(xt, Vector256.Load(r3 + p), t3);
            }
            (f0, f1, f2, f3) = (Halve(s0 + t0), Halve(s1 + t1), Halve(s2 + t2), Halve(s3 + t3));
        }
        else
        {
            f0 = DotSixteen(x, r0, runs);
            f1 = DotSixteen(x, r1, runs);
            f2 = DotSixteen(x, r2, runs);
            f3 = DotSixteen(x, r3, runs);
        }
        result[0] = DotTail(x, r0, whole, k, FixedOrder.Fold(f0));
        result[1] = DotTail(x, r1, whole, k, FixedOrder.Fold(f1));
        result[2] = DotTail(x, r2, whole, k, FixedOrder.Fold(f2));
        result[3] = DotTail(x, r3, whole, k, FixedOrder.Fold(f3));
    }

    /// <summary>One row's sixteen sums of <see cref="DotFour"/> as four 128-bit vectors, folded to four lanes.</summary>
    private static Vector128<float> DotSixteen(float* x, float* r, NonzeroRuns runs)
    {
        Vector128<float> a = default, b = default, c = default, d = default;
        for (int q = 0; q < runs.LowCount; q++)
        {
            int p = runs.Lows[q];
            a = MultiplyAdd(Vector128.Load(x + p), Vector128.Load(r + p), a);
            b = MultiplyAdd(Vector128.Load(x + p + 4), Vector128.Load(r + p + 4), b);
        }
        for (int q = 0; q < runs.HighCount; q++)
        {
            int p = runs.Highs[q];
            c = MultiplyAdd(Vector128.Load(x + p), Vector128.Load(r + p), c);
            d = MultiplyAdd(Vector128.Load(x + p + 4), Vector128.Load(r + p + 4), d);
        }
        return (a + c) + (b + d);
    }

    private static float DotTail(float* x, float* r, int from, int k, float sum)
    {
        for (int p = from; p < k; p++)
        {
            sum = MultiplyAdd(x[p], r[p], sum);
        }
        return sum;
    }

    private static Vector256<float> Halve(Vector512<float> v) => v.GetLower() + v.GetUpper();

    private static Vector128<float> Halve(Vector256<float> v) => v.GetLower() + v.GetUpper();
}
