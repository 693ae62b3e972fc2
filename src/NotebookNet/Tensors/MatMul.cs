using System.Runtime.Intrinsics;

namespace NotebookNet.Tensors;

/// <summary>
/// The fast matrix multiply, the hot path of every layer: C ← α·op(A)·op(B) + β·C.
/// </summary>
/// <remarks>
/// The method is the one of BLIS and OpenBLAS: op(B) is copied once into column panels of
/// <c>NR</c> floats, each block of op(A) into row panels of <c>MR</c> floats, and a register-tiled
/// micro-kernel computes an MR×NR tile of C with fused multiply-adds, AVX-512, AVX2 or 128 bits wide.
/// Transposed operands are read in their stored order while packing, so A·Bᵀ and Aᵀ·B never
/// build a transpose. Large products are split across threads by blocks of C; each element of C
/// is summed in the same order whatever the thread count, so results do not depend on it.
/// <see cref="NaiveMatMul"/> is the reference it is tested against, and <see cref="UseReference"/> switches to it.
/// Introduced in notebook 02.
/// <para>The code is in five files: this one (the contract, the settings and the dispatch), MatMul.Vector.cs (products with
/// a single row, column or depth), MatMul.Blocked.cs (packing and threads), MatMul.Kernels.cs (the micro-kernels) and
/// MatMul.Sparse.cs (an op(A) of mostly zeros, such as a batch of images, whose zeros it skips, and one row times a matrix stored
/// (k, n), for <see cref="Training.FrozenModel"/>).</para>
/// </remarks>
public static unsafe partial class MatMul
{
    /// <summary>Rows of a micro-tile: six rows of accumulators fill the vector registers with room for the loads.</summary>
    private const int MR = 6;

    /// <summary>The most columns a micro-tile has: two 512-bit vectors of 16 floats.</summary>
    private const int MaxNR = 32;

    /// <summary>Depth of a packed block: an MR×KC panel of A and a KC×NR panel of B stay in the L1 and L2 caches.</summary>
    private const int KC = 256;

    /// <summary>Rows of a packed block of A (a multiple of MR).</summary>
    private const int MC = 96;

    /// <summary>Floats PackA's last vector store may write past a block: the packed buffer has them to spare.</summary>
    private const int PackOverrun = 8;
    // Multiply-adds below which a second thread does not pay. Measured with the Workers helpers (AVX2, this Xeon, best of
    // 2,000): 32×512×128 (2.1M) 118 µs on one thread, 66 µs on two; 64×128×128 (1.0M) 45 µs on both. With the thread
    // pool's Parallel.For the break-even was above 6.4M (64×784×128: 117 µs on one thread, 130 µs on two).
    private const long ParallelThreshold = 1L << 21;

    /// <summary>The most threads a product may use (default: the processor count).</summary>
    public static int MaxDegreeOfParallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>Use the 512-bit kernel (default: when the processor runs AVX-512 natively).</summary>
    public static bool UseVector512 { get; set; } = Vector512.IsHardwareAccelerated;

    /// <summary>
    /// Run <see cref="NaiveMatMul"/> instead, for every product in the process: the three loops of the definition.
    /// Notebook 02 trains the same network both ways to show that the results agree and how far apart the times are.
    /// </summary>
    public static bool UseReference { get; set; }

    /// <summary>
    /// Floats in one vector of the kernel in use: 16 with AVX-512, 8 with AVX2, else 4 — 128-bit vectors, which every
    /// x64 processor (SSE) and every Arm64 one (NEON, where .NET does not accelerate 256-bit vectors) runs natively.
    /// A micro-tile is <see cref="MR"/> rows by two vectors.
    /// </summary>
    public static int VectorFloats => UseVector512 ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4;

    /// <summary>The name of the kernel in use, for benchmark reports.</summary>
    public static string KernelName =>
        UseReference ? "reference (three loops)"
        : VectorFloats switch
        {
            16 => $"avx512 {MR}x32",
            8 => $"avx2 {MR}x16",
            _ => $"128-bit {MR}x8 ({(System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? "neon" : HasFusedMultiplyAdd ? "sse, fma" : "sse, no fma")})",
        };

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
        if (UseReference)
        {
            NaiveMatMul.Multiply(a, b, c, m, n, k, transposeA, transposeB, alpha, beta);
            return;
        }
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
}
