using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
    private const long ParallelThreshold = 1L << 21; // multiply-adds below which one thread is faster

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

        // Pack all of op(B): for each depth block [k0, k0+kc), each panel holds kc rows of nr floats.
        float[] packedB = ArrayPool<float>.Shared.Rent(o.K * paddedN);
        fixed (float* pbp = packedB)
        {
            PackB(o, pbp, nr, paddedN);

            int rowBlocks = (o.M + MC - 1) / MC;
            long work = (long)o.M * o.N * o.K;
            int threads = work < ParallelThreshold ? 1 : Math.Max(1, MaxDegreeOfParallelism);
            // Enough tasks to keep every thread busy: split columns too when there are few row blocks.
            int columnGroups = threads == 1 ? 1 : Math.Min(panels, Math.Max(1, (threads + rowBlocks - 1) / rowBlocks));
            int tasks = rowBlocks * columnGroups;
            nint packedBAddress = (nint)pbp;

            if (threads == 1 || tasks == 1)
            {
                for (int t = 0; t < tasks; t++)
                {
                    RunTask(o, (float*)packedBAddress, t, columnGroups, panels, paddedN, nr, wide);
                }
            }
            else
            {
                var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
                Parallel.For(0, tasks, options, t => RunTask(o, (float*)packedBAddress, t, columnGroups, panels, paddedN, nr, wide));
            }
        }
        ArrayPool<float>.Shared.Return(packedB);
    }

    private static void PackB(in Operands o, float* packed, int nr, int paddedN)
    {
        for (int k0 = 0; k0 < o.K; k0 += KC)
        {
            int kc = Math.Min(KC, o.K - k0);
            float* block = packed + (long)k0 * paddedN;
            for (int j0 = 0; j0 < o.N; j0 += nr)
            {
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
                    // op(B)(k, j) = B[j, k]: read each stored row contiguously, write it down a panel column.
                    for (int j = 0; j < columns; j++)
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

    private static void PackA(in Operands o, float* packed, int i0, int mc, int k0, int kc)
    {
        for (int r0 = 0; r0 < mc; r0 += MR)
        {
            float* panel = packed + r0 * kc;
            int rows = Math.Min(MR, mc - r0);
            if (!o.TransposeA)
            {
                // op(A)(i, k) = A[i, k]: walk each stored row.
                for (int r = 0; r < rows; r++)
                {
                    float* source = o.A + (long)(i0 + r0 + r) * o.K + k0;
                    for (int p = 0; p < kc; p++)
                    {
                        panel[p * MR + r] = source[p];
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

    private static void RunTask(in Operands o, float* packedB, int task, int columnGroups, int panels, int paddedN, int nr, bool wide)
    {
        int rowBlock = task / columnGroups, group = task % columnGroups;
        int i0 = rowBlock * MC;
        int mc = Math.Min(MC, o.M - i0);
        int firstPanel = group * panels / columnGroups, endPanel = (group + 1) * panels / columnGroups;

        float[] packedA = ArrayPool<float>.Shared.Rent(MC * KC);
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
