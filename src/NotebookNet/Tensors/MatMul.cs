using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NotebookNet.Tensors;

/// <summary>
/// The fast matrix multiply, the hot path of every layer: C ← α·op(A)·op(B) + β·C.
/// </summary>
/// <remarks>
/// The method is the one of BLIS and OpenBLAS: op(B) is copied once into column panels of
/// <c>NR</c> floats, each block of op(A) into row panels of <c>MR</c> floats, and a register-tiled
/// micro-kernel computes an MR×NR tile of C with fused multiply-adds, AVX-512 or AVX2 wide.
/// Transposed operands are read in their stored order while packing, so A·Bᵀ and Aᵀ·B never
/// build a transpose. Large products are split across threads by blocks of C; each element of C
/// is summed in the same order whatever the thread count, so results do not depend on it.
/// <see cref="NaiveMatMul"/> is the reference it is tested against. Introduced in notebook 02.
/// </remarks>
public static unsafe class MatMul
{
    private const int MR = 6;   // rows of a micro-tile
    private const int KC = 256; // depth of a packed block
    private const int MC = 96;  // rows of a packed block of A (a multiple of MR)
    // Multiply-adds below which one thread is faster: measured, 64×128×784 (6.4M) took 117 µs on one thread, 130 µs on two.
    private const long ParallelThreshold = 1L << 24;

    /// <summary>The most threads a product may use (default: the processor count).</summary>
    public static int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Use the 512-bit kernel (default: when the processor runs AVX-512 natively).</summary>
    public static bool UseVector512 { get; set; } = Vector512.IsHardwareAccelerated;

    /// <summary>The name of the kernel in use, for benchmark reports.</summary>
    public static string KernelName => UseVector512 ? "avx512 6x32" : Vector256.IsHardwareAccelerated ? "avx2 6x16" : "portable 6x16";

    /// <summary>
    /// C ← α·op(A)·op(B) + β·C with op(A) of shape (m, k), op(B) of shape (k, n), all row-major.
    /// A is stored (m, k), or (k, m) when <paramref name="transposeA"/>; B is stored (k, n), or (n, k)
    /// when <paramref name="transposeB"/>; C is stored (m, n) and read only when <paramref name="beta"/> is not zero.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its shape needs, or a size is negative.</exception>
    public static void Multiply(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transposeA = false, bool transposeB = false, float alpha = 1f, float beta = 0f)
    {
        CheckArguments(a.Length, b.Length, c.Length, m, n, k);
        if (m == 0 || n == 0)
        {
            return;
        }
        if (k == 0)
        {
            ScaleInPlace(c[..(m * n)], beta);
            return;
        }
        if (k == 1)
        {
            // op(A) is a column and op(B) a row, both contiguous whatever the transposes: C ← α·a·bᵀ + β·C.
            OuterProduct(a[..m], b[..n], c, alpha, beta);
            return;
        }
        if (m == 1)
        {
            // op(A) is one contiguous row whatever transposeA: a vector–matrix product.
            VectorTimesMatrix(a[..k], b, c[..n], n, k, transposeB, alpha, beta);
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            MultiplyBlocked(new Operands(pa, pb, pc, m, n, k, transposeA, transposeB, alpha, beta));
        }
    }

    internal static void CheckArguments(int aLength, int bLength, int cLength, int m, int n, int k)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentException($"matrix sizes must not be negative: m={m}, n={n}, k={k}");
        }
        if (aLength < (long)m * k)
        {
            throw new ArgumentException($"A holds {aLength} values, op(A) of shape ({m}, {k}) needs {(long)m * k}");
        }
        if (bLength < (long)k * n)
        {
            throw new ArgumentException($"B holds {bLength} values, op(B) of shape ({k}, {n}) needs {(long)k * n}");
        }
        if (cLength < (long)m * n)
        {
            throw new ArgumentException($"C holds {cLength} values, shape ({m}, {n}) needs {(long)m * n}");
        }
    }

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

    private static void OuterProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, float alpha, float beta)
    {
        int n = b.Length;
        for (int i = 0; i < a.Length; i++)
        {
            Span<float> row = c.Slice(i * n, n);
            float scale = alpha * a[i];
            if (beta == 0f)
            {
                TensorPrimitives.Multiply(b, scale, row);
            }
            else
            {
                ScaleInPlace(row, beta);
                TensorPrimitives.MultiplyAdd(b, scale, row, row);
            }
        }
    }

    private static void VectorTimesMatrix(
        ReadOnlySpan<float> x, ReadOnlySpan<float> b, Span<float> y, int n, int k, bool transposeB, float alpha, float beta)
    {
        float[] sums = ArrayPool<float>.Shared.Rent(n);
        Span<float> result = sums.AsSpan(0, n);
        if (transposeB)
        {
            // B stored (n, k): y[j] = Σ_p x[p]·B[j, p], a dot product per stored row.
            fixed (float* px = x, pb = b)
            {
                int j = 0;
                if (UseVector512)
                {
                    for (; j + 4 <= n; j += 4)
                    {
                        DotFourWide(px, pb + (long)j * k, k, result.Slice(j, 4));
                    }
                }
                for (; j + 4 <= n; j += 4)
                {
                    DotFour(px, pb + (long)j * k, k, result.Slice(j, 4));
                }
                for (; j < n; j++)
                {
                    result[j] = TensorPrimitives.Dot(x, b.Slice(j * k, k));
                }
            }
        }
        else
        {
            // B stored (k, n): y = Σ_p x[p]·B[p, :], one scaled row at a time.
            result.Clear();
            for (int p = 0; p < k; p++)
            {
                if (x[p] != 0f)
                {
                    TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), x[p], result, result);
                }
            }
        }
        if (beta == 0f)
        {
            TensorPrimitives.Multiply(result, alpha, y);
        }
        else
        {
            ScaleInPlace(y, beta);
            TensorPrimitives.MultiplyAdd(result, alpha, y, y);
        }
        ArrayPool<float>.Shared.Return(sums);
    }

    /// <summary>Four dot products of x with four consecutive rows of length k, sharing the loads of x.</summary>
    private static void DotFour(float* x, float* rows, int k, Span<float> result)
    {
        float* r0 = rows, r1 = rows + k, r2 = rows + 2 * k, r3 = rows + 3 * k;
        var s0 = Vector256<float>.Zero;
        var s1 = Vector256<float>.Zero;
        var s2 = Vector256<float>.Zero;
        var s3 = Vector256<float>.Zero;
        int p = 0;
        for (; p + 8 <= k; p += 8)
        {
            var xv = Vector256.Load(x + p);
            s0 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(r0 + p), s0);
            s1 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(r1 + p), s1);
            s2 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(r2 + p), s2);
            s3 = Vector256.FusedMultiplyAdd(xv, Vector256.Load(r3 + p), s3);
        }
        float t0 = Vector256.Sum(s0), t1 = Vector256.Sum(s1), t2 = Vector256.Sum(s2), t3 = Vector256.Sum(s3);
        for (; p < k; p++)
        {
            t0 += x[p] * r0[p];
            t1 += x[p] * r1[p];
            t2 += x[p] * r2[p];
            t3 += x[p] * r3[p];
        }
        result[0] = t0;
        result[1] = t1;
        result[2] = t2;
        result[3] = t3;
    }

    /// <summary><see cref="DotFour"/> with 16-wide vectors and two accumulators per row.</summary>
    private static void DotFourWide(float* x, float* rows, int k, Span<float> result)
    {
        float* r0 = rows, r1 = rows + k, r2 = rows + 2 * k, r3 = rows + 3 * k;
        Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default;
        Vector512<float> u0 = default, u1 = default, u2 = default, u3 = default;
        int p = 0;
        for (; p + 32 <= k; p += 32)
        {
            var xv = Vector512.Load(x + p);
            var xw = Vector512.Load(x + p + 16);
            s0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r0 + p), s0);
            s1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r1 + p), s1);
            s2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r2 + p), s2);
            s3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r3 + p), s3);
            u0 = Vector512.FusedMultiplyAdd(xw, Vector512.Load(r0 + p + 16), u0);
            u1 = Vector512.FusedMultiplyAdd(xw, Vector512.Load(r1 + p + 16), u1);
            u2 = Vector512.FusedMultiplyAdd(xw, Vector512.Load(r2 + p + 16), u2);
            u3 = Vector512.FusedMultiplyAdd(xw, Vector512.Load(r3 + p + 16), u3);
        }
        for (; p + 16 <= k; p += 16)
        {
            var xv = Vector512.Load(x + p);
            s0 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r0 + p), s0);
            s1 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r1 + p), s1);
            s2 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r2 + p), s2);
            s3 = Vector512.FusedMultiplyAdd(xv, Vector512.Load(r3 + p), s3);
        }
        float t0 = Vector512.Sum(s0 + u0), t1 = Vector512.Sum(s1 + u1), t2 = Vector512.Sum(s2 + u2), t3 = Vector512.Sum(s3 + u3);
        for (; p < k; p++)
        {
            t0 += x[p] * r0[p];
            t1 += x[p] * r1[p];
            t2 += x[p] * r2[p];
            t3 += x[p] * r3[p];
        }
        result[0] = t0;
        result[1] = t1;
        result[2] = t2;
        result[3] = t3;
    }

    private readonly struct Operands(
        float* a, float* b, float* c, int m, int n, int k, bool transposeA, bool transposeB, float alpha, float beta)
    {
        public readonly float* A = a, B = b, C = c;
        public readonly int M = m, N = n, K = k;
        public readonly bool TransposeA = transposeA, TransposeB = transposeB;
        public readonly float Alpha = alpha, Beta = beta;
    }

    private static void MultiplyBlocked(Operands o)
    {
        bool wide = UseVector512;
        int nr = wide ? 32 : 16;
        int panels = (o.N + nr - 1) / nr;
        int paddedN = panels * nr;

        // Packed op(B): for each depth block [k0, k0+kc), each panel holds kc rows of nr floats.
        float[] packedB = ArrayPool<float>.Shared.Rent(o.K * paddedN);
        fixed (float* pbp = packedB)
        {
            long work = (long)o.M * o.N * o.K;
            int threads = work < ParallelThreshold ? 1 : Math.Max(1, MaxDegreeOfParallelism);
            // Few rows and more columns (a small batch times a weight matrix): split the columns between the
            // threads and let each pack its own panels of B. Otherwise give each thread whole blocks of rows,
            // small enough that every thread gets one, and pack B once.
            bool packInTasks = threads > 1 && o.M <= MC && o.N > o.M;
            int rowBlock = threads == 1 || packInTasks ? MC : Math.Min(MC, RoundUp((o.M + threads - 1) / threads, MR));
            int rowBlocks = (o.M + rowBlock - 1) / rowBlock;
            int columnGroups = packInTasks ? Math.Min(panels, threads) : 1;
            int tasks = rowBlocks * columnGroups;
            if (!packInTasks)
            {
                PackB(o, pbp, nr, paddedN, 0, panels);
            }
            nint packedBAddress = (nint)pbp;
            void Task(int t) => RunTask(o, (float*)packedBAddress, t, rowBlock, columnGroups, panels, paddedN, nr, wide, packInTasks);

            if (threads == 1 || tasks == 1)
            {
                for (int t = 0; t < tasks; t++)
                {
                    Task(t);
                }
            }
            else
            {
                Parallel.For(0, tasks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Task);
            }
        }
        ArrayPool<float>.Shared.Return(packedB);
    }

    /// <summary>Packs panels [firstPanel, endPanel) of op(B) for every depth block.</summary>
    private static void PackB(in Operands o, float* packed, int nr, int paddedN, int firstPanel, int endPanel)
    {
        for (int k0 = 0; k0 < o.K; k0 += KC)
        {
            int kc = Math.Min(KC, o.K - k0);
            float* block = packed + (long)k0 * paddedN;
            for (int panelIndex = firstPanel; panelIndex < endPanel; panelIndex++)
            {
                int j0 = panelIndex * nr;
                float* panel = block + (long)j0 * kc;
                int columns = Math.Min(nr, o.N - j0);
                if (!o.TransposeB)
                {
                    // op(B)(k, j) = B[k, j]: contiguous runs of the stored rows.
                    for (int p = 0; p < kc; p++)
                    {
                        float* destination = panel + p * nr;
                        new ReadOnlySpan<float>(o.B + (long)(k0 + p) * o.N + j0, columns).CopyTo(new Span<float>(destination, columns));
                        new Span<float>(destination + columns, nr - columns).Clear();
                    }
                }
                else
                {
                    // op(B)(k, j) = B[j, k]: a transpose, 8×8 blocks at a time where they fit.
                    int j = 0;
                    if (Avx.IsSupported)
                    {
                        for (; j + 8 <= columns; j += 8)
                        {
                            int p = 0;
                            for (; p + 8 <= kc; p += 8)
                            {
                                Transpose8x8(o.B + (long)(j0 + j) * o.K + k0 + p, o.K, panel + p * nr + j, nr);
                            }
                            for (; p < kc; p++)
                            {
                                for (int jj = j; jj < j + 8; jj++)
                                {
                                    panel[p * nr + jj] = o.B[(long)(j0 + jj) * o.K + k0 + p];
                                }
                            }
                        }
                    }
                    for (; j < columns; j++)
                    {
                        float* source = o.B + (long)(j0 + j) * o.K + k0;
                        for (int p = 0; p < kc; p++)
                        {
                            panel[p * nr + j] = source[p];
                        }
                    }
                    for (int p = 0; p < kc; p++)
                    {
                        new Span<float>(panel + p * nr + columns, nr - columns).Clear();
                    }
                }
            }
        }
    }

    /// <summary>
    /// Writes the transpose of the 8×8 block at <paramref name="source"/> (rows <paramref name="sourceStride"/> apart)
    /// to <paramref name="destination"/> (rows <paramref name="destinationStride"/> apart): destination[q, i] = source[i, q].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* source, int sourceStride, float* destination, int destinationStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(source), r1 = Avx.LoadVector256(source + sourceStride);
        Vector256<float> r2 = Avx.LoadVector256(source + 2 * sourceStride), r3 = Avx.LoadVector256(source + 3 * sourceStride);
        Vector256<float> r4 = Avx.LoadVector256(source + 4 * sourceStride), r5 = Avx.LoadVector256(source + 5 * sourceStride);
        Vector256<float> r6 = Avx.LoadVector256(source + 6 * sourceStride), r7 = Avx.LoadVector256(source + 7 * sourceStride);
        // Interleave pairs of rows, then pairs of pairs, then swap 128-bit halves.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(destination, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(destination + destinationStride, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(destination + 2 * destinationStride, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(destination + 3 * destinationStride, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(destination + 4 * destinationStride, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(destination + 5 * destinationStride, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(destination + 6 * destinationStride, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(destination + 7 * destinationStride, Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>
    /// destination[q·6 + r] = source[r·stride + q] for 6 rows r and 8 depths q: 48 contiguous floats. The last
    /// vector store writes 2 floats past them, which the caller owns and overwrites later.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeSixRows(float* source, int stride, float* destination)
    {
        Vector256<float> r0 = Avx.LoadVector256(source), r1 = Avx.LoadVector256(source + stride);
        Vector256<float> r2 = Avx.LoadVector256(source + 2 * stride), r3 = Avx.LoadVector256(source + 3 * stride);
        Vector256<float> r4 = Avx.LoadVector256(source + 4 * stride), r5 = Avx.LoadVector256(source + 5 * stride);
        Vector256<float> zero = Vector256<float>.Zero;
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(zero, zero), t7 = t6;
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        // Each store holds the 6 rows of one depth (and 2 zeros the next store overwrites).
        Avx.Store(destination, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(destination + 6, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(destination + 12, Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(destination + 18, Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(destination + 24, Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(destination + 30, Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(destination + 36, Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(destination + 42, Avx.Permute2x128(s3, s7, 0x31));
    }

    private static void PackA(in Operands o, float* packed, int i0, int mc, int k0, int kc)
    {
        for (int r0 = 0; r0 < mc; r0 += MR)
        {
            float* panel = packed + r0 * kc;
            int rows = Math.Min(MR, mc - r0);
            if (!o.TransposeA)
            {
                // op(A)(i, k) = A[i, k]: a transpose of MR rows; 8 depths at a time give 8·MR contiguous floats.
                int p = 0;
                if (Avx.IsSupported && rows == MR)
                {
                    float* source = o.A + (long)(i0 + r0) * o.K + k0;
                    for (; p + 8 <= kc; p += 8)
                    {
                        TransposeSixRows(source + p, o.K, panel + p * MR);
                    }
                }
                for (int r = 0; r < rows; r++)
                {
                    float* source = o.A + (long)(i0 + r0 + r) * o.K + k0;
                    for (int q = p; q < kc; q++)
                    {
                        panel[q * MR + r] = source[q];
                    }
                }
            }
            else
            {
                // op(A)(i, k) = A[k, i]: the MR values of one depth are contiguous in the stored row k.
                for (int p = 0; p < kc; p++)
                {
                    float* source = o.A + (long)(k0 + p) * o.M + i0 + r0;
                    for (int r = 0; r < rows; r++)
                    {
                        panel[p * MR + r] = source[r];
                    }
                }
            }
            for (int r = rows; r < MR; r++)
            {
                for (int p = 0; p < kc; p++)
                {
                    panel[p * MR + r] = 0f;
                }
            }
        }
    }

    private static void RunTask(in Operands o, float* packedB, int task, int rowBlock, int columnGroups, int panels, int paddedN, int nr, bool wide, bool packB)
    {
        int group = task % columnGroups;
        int i0 = task / columnGroups * rowBlock;
        int mc = Math.Min(rowBlock, o.M - i0);
        int firstPanel = group * panels / columnGroups, endPanel = (group + 1) * panels / columnGroups;
        if (packB)
        {
            PackB(o, packedB, nr, paddedN, firstPanel, endPanel);
        }

        float[] packedA = ArrayPool<float>.Shared.Rent(MC * KC + 8); // + 8: PackA's last vector store may run over
        float* tile = stackalloc float[MR * 32];
        fixed (float* pap = packedA)
        {
            for (int k0 = 0; k0 < o.K; k0 += KC)
            {
                int kc = Math.Min(KC, o.K - k0);
                // The first depth block applies β; the later ones add to what it left.
                float beta = k0 == 0 ? o.Beta : 1f;
                PackA(o, pap, i0, mc, k0, kc);
                for (int panel = firstPanel; panel < endPanel; panel++)
                {
                    int j0 = panel * nr;
                    int columns = Math.Min(nr, o.N - j0);
                    float* bPanel = packedB + (long)k0 * paddedN + (long)j0 * kc;
                    for (int r0 = 0; r0 < mc; r0 += MR)
                    {
                        int rows = Math.Min(MR, mc - r0);
                        float* aPanel = pap + r0 * kc;
                        float* c = o.C + (long)(i0 + r0) * o.N + j0;
                        if (rows == MR && columns == nr)
                        {
                            Kernel(wide, kc, aPanel, bPanel, c, o.N, o.Alpha, beta);
                        }
                        else
                        {
                            Kernel(wide, kc, aPanel, bPanel, tile, nr, 1f, 0f);
                            for (int r = 0; r < rows; r++)
                            {
                                for (int j = 0; j < columns; j++)
                                {
                                    float previous = beta == 0f ? 0f : beta * c[(long)r * o.N + j];
                                    c[(long)r * o.N + j] = o.Alpha * tile[r * nr + j] + previous;
                                }
                            }
                        }
                    }
                }
            }
        }
        ArrayPool<float>.Shared.Return(packedA);
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(bool wide, int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        if (wide)
        {
            Kernel6x32(kc, a, b, c, ldc, alpha, beta);
        }
        else
        {
            Kernel6x16(kc, a, b, c, ldc, alpha, beta);
        }
    }

    /// <summary>C[0:6, 0:16] ← α·Σ_p a[p, 0:6]ᵀ·b[p, 0:16] + β·C, twelve 8-wide accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            a += MR;
            b += 16;
        }
        Store(c, c00, c01, alpha, beta);
        Store(c + ldc, c10, c11, alpha, beta);
        Store(c + 2 * ldc, c20, c21, alpha, beta);
        Store(c + 3 * ldc, c30, c31, alpha, beta);
        Store(c + 4 * ldc, c40, c41, alpha, beta);
        Store(c + 5 * ldc, c50, c51, alpha, beta);
    }

    /// <summary>C[0:6, 0:32] ← α·Σ_p a[p, 0:6]ᵀ·b[p, 0:32] + β·C, twelve 16-wide accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x32(int kc, float* a, float* b, float* c, int ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            a += MR;
            b += 32;
        }
        Store(c, c00, c01, alpha, beta);
        Store(c + ldc, c10, c11, alpha, beta);
        Store(c + 2 * ldc, c20, c21, alpha, beta);
        Store(c + 3 * ldc, c30, c31, alpha, beta);
        Store(c + 4 * ldc, c40, c41, alpha, beta);
        Store(c + 5 * ldc, c50, c51, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector256<float> left, Vector256<float> right, float alpha, float beta)
    {
        var scale = Vector256.Create(alpha);
        if (beta == 0f)
        {
            Vector256.Store(left * scale, c);
            Vector256.Store(right * scale, c + 8);
        }
        else
        {
            var keep = Vector256.Create(beta);
            Vector256.Store(Vector256.FusedMultiplyAdd(left, scale, Vector256.Load(c) * keep), c);
            Vector256.Store(Vector256.FusedMultiplyAdd(right, scale, Vector256.Load(c + 8) * keep), c + 8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, Vector512<float> left, Vector512<float> right, float alpha, float beta)
    {
        var scale = Vector512.Create(alpha);
        if (beta == 0f)
        {
            Vector512.Store(left * scale, c);
            Vector512.Store(right * scale, c + 16);
        }
        else
        {
            var keep = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(left, scale, Vector512.Load(c) * keep), c);
            Vector512.Store(Vector512.FusedMultiplyAdd(right, scale, Vector512.Load(c + 16) * keep), c + 16);
        }
    }
}
