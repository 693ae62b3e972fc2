using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NotebookNet.Tensors;

/// <summary>
/// The register-tiled micro-kernels: an MR×NR tile of C from a panel of A (packed, or MR rows read where they lie) and a
/// packed panel of B. Row q of B's panel meets A's first row at <c>a + aOffsets.At(q)</c> and its row r
/// <c>aOffsets.Row(r)</c> further on: every depth in turn, or only those where B's panel is not all zeros
/// (<see cref="PackedB"/>).
/// </summary>
public static unsafe partial class MatMul
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(int width, int depths, int* aOffsets, float* a, float* b, float* c, int ldc, float alpha, float beta, bool everyDepth)
    {
        // Every depth in turn is the common case, compiled on its own (a type argument that is a struct gets its own code):
        // reading the offsets from memory cost the dense products 1.5–3 % (bench GEMM, AVX2).
        if (everyDepth)
        {
            Kernel(width, depths, new EveryDepth(), a, b, c, ldc, alpha, beta);
        }
        else
        {
            Kernel(width, depths, new ListedDepths(aOffsets), a, b, c, ldc, alpha, beta);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel<TDepths>(int width, int depths, TDepths aOffsets, float* a, float* b, float* c, int ldc, float alpha, float beta)
        where TDepths : struct, IDepthOffsets
    {
        switch (width)
        {
            case 16:
                Kernel6x32(depths, aOffsets, a, b, c, ldc, alpha, beta);
                break;
            case 8:
                Kernel6x16(depths, aOffsets, a, b, c, ldc, alpha, beta);
                break;
            default:
                Kernel6x8(depths, aOffsets, a, b, c, ldc, alpha, beta);
                break;
        }
    }

    /// <summary>Where the q-th row of a packed panel of B meets A: A's first row at a + At(q), its row r at a + At(q) + Row(r).</summary>
    private interface IDepthOffsets
    {
        int At(int q);

        nint Row(int r);
    }

    /// <summary>Every depth in turn of a packed panel of A: row q meets its q-th depth, MR values side by side.</summary>
    private readonly struct EveryDepth : IDepthOffsets
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int At(int q) => q * MR;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nint Row(int r) => r;
    }

    /// <summary>The depths a panel of B kept, as offsets into the packed panel of A.</summary>
    private readonly struct ListedDepths(int* offsets) : IDepthOffsets
    {
        private readonly int* _offsets = offsets;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int At(int q) => _offsets[q];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nint Row(int r) => r;
    }

    /// <summary>Every depth in turn of MR rows of op(A) where they lie, unpacked: rows <paramref name="k"/> floats apart.</summary>
    private readonly struct RowsInPlace(int k) : IDepthOffsets
    {
        private readonly nint _k = k;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int At(int q) => q;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public nint Row(int r) => r * _k;
    }

    /// <summary>
    /// a·b + c on 128-bit vectors: one fused instruction where the processor has one (Arm64's NEON, x64 with FMA), else a
    /// multiply and an add — an emulated fused multiply-add would be many times slower than both. Every kernel of the
    /// library that multiplies and adds (here and in <see cref="Correlation"/>) rounds by this one rule.
    /// </summary>
    /// <remarks>
    /// .NET's MultiplyAddEstimate follows that rule (fused exactly where <see cref="HasFusedMultiplyAdd"/>; a test checks it
    /// under every switch CI runs) and compiles to one instruction that reads the loaded operand from memory. Written as
    /// HasFusedMultiplyAdd ? FusedMultiplyAdd : a·b + c, each operand appears twice, and the JIT kept a loaded one in a
    /// register of its own and copied every sum once more: the sparse kernel's loop took 36 instructions for 8
    /// multiply-adds instead of 14.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) =>
        Vector128.MultiplyAddEstimate(a, b, c);

    /// <summary><see cref="MultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/> on 256-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Vector256.MultiplyAddEstimate(a, b, c);

    /// <summary>
    /// <see cref="MultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/> on 512-bit vectors: a test that forces
    /// the 512-bit tiles on a processor without fused multiply-adds gets the narrower tiles' two roundings too.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Vector512.MultiplyAddEstimate(a, b, c);

    /// <summary><see cref="MultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/> on vectors of the platform's preferred width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static System.Numerics.Vector<float> MultiplyAdd(System.Numerics.Vector<float> a, System.Numerics.Vector<float> b, System.Numerics.Vector<float> c) =>
        System.Numerics.Vector.MultiplyAddEstimate(a, b, c);

    /// <summary>a·b + c on floats, rounded once or twice as <see cref="MultiplyAdd(Vector128{float}, Vector128{float}, Vector128{float})"/> is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float MultiplyAdd(float a, float b, float c) => float.MultiplyAddEstimate(a, b, c);

    /// <summary>
    /// c ← α·sum + β·c, rounded as every store of the kernels rounds, so that an element of C does not depend on which
    /// kernel, tile or vector width computed it; C is not read when β is 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreScaled(float* c, float sum, float alpha, float beta) =>
        *c = beta == 0f ? alpha * sum : MultiplyAdd(sum, alpha, beta * *c);

    /// <summary><see cref="StoreScaled(float*, float, float, float)"/> for a vector of the platform's preferred width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreScaled(float* c, System.Numerics.Vector<float> sum, float alpha, float beta) =>
        System.Numerics.Vector.Store(beta == 0f
            ? sum * new System.Numerics.Vector<float>(alpha)
            : MultiplyAdd(sum, new System.Numerics.Vector<float>(alpha), System.Numerics.Vector.Load(c) * new System.Numerics.Vector<float>(beta)), c);

    /// <summary><see cref="StoreScaled(float*, float, float, float)"/> for a 512-bit vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreScaled(float* c, Vector512<float> sum, float alpha, float beta) =>
        Vector512.Store(beta == 0f
            ? sum * Vector512.Create(alpha)
            : MultiplyAdd(sum, Vector512.Create(alpha), Vector512.Load(c) * Vector512.Create(beta)), c);

    /// <summary>Whether the processor multiplies and adds with one rounding (FMA on x64, NEON on Arm64).</summary>
    internal static bool HasFusedMultiplyAdd => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

    /// <summary>
    /// C[0:6, 0:8] ← α·Σ_q a[p_q, 0:6]ᵀ·b[q, 0:8] + β·C, twelve 4-wide accumulators: the kernel for 128-bit vectors, the
    /// widest Arm64's NEON has, and what an x64 processor without AVX runs. Sixteen registers hold the twelve
    /// accumulators, the two vectors of B and a broadcast of A, as on AVX2 with twice the width.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x8<TDepths>(int depths, TDepths aOffsets, float* a, float* b, float* c, int ldc, float alpha, float beta)
        where TDepths : struct, IDepthOffsets
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int q = 0; q < depths; q++)
        {
            float* ap = a + aOffsets.At(q);
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            var a0 = Vector128.Create(ap[0]);
            c00 = MultiplyAdd(a0, b0, c00);
            c01 = MultiplyAdd(a0, b1, c01);
            var a1 = Vector128.Create(ap[aOffsets.Row(1)]);
            c10 = MultiplyAdd(a1, b0, c10);
            c11 = MultiplyAdd(a1, b1, c11);
            var a2 = Vector128.Create(ap[aOffsets.Row(2)]);
            c20 = MultiplyAdd(a2, b0, c20);
            c21 = MultiplyAdd(a2, b1, c21);
            var a3 = Vector128.Create(ap[aOffsets.Row(3)]);
            c30 = MultiplyAdd(a3, b0, c30);
            c31 = MultiplyAdd(a3, b1, c31);
            var a4 = Vector128.Create(ap[aOffsets.Row(4)]);
            c40 = MultiplyAdd(a4, b0, c40);
            c41 = MultiplyAdd(a4, b1, c41);
            var a5 = Vector128.Create(ap[aOffsets.Row(5)]);
            c50 = MultiplyAdd(a5, b0, c50);
            c51 = MultiplyAdd(a5, b1, c51);
            b += 8;
        }
        Store(c, c00, c01, alpha, beta);
        Store(c + ldc, c10, c11, alpha, beta);
        Store(c + 2 * ldc, c20, c21, alpha, beta);
        Store(c + 3 * ldc, c30, c31, alpha, beta);
        Store(c + 4 * ldc, c40, c41, alpha, beta);
        Store(c + 5 * ldc, c50, c51, alpha, beta);
    }

    /// <summary>C[0:6, 0:16] ← α·Σ_q a[p_q, 0:6]ᵀ·b[q, 0:16] + β·C, twelve 8-wide accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x16<TDepths>(int depths, TDepths aOffsets, float* a, float* b, float* c, int ldc, float alpha, float beta)
        where TDepths : struct, IDepthOffsets
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int q = 0; q < depths; q++)
        {
            float* ap = a + aOffsets.At(q);
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(ap[0]);
            c00 = Vector256.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector256.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector256.Create(ap[aOffsets.Row(1)]);
            c10 = Vector256.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector256.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector256.Create(ap[aOffsets.Row(2)]);
            c20 = Vector256.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector256.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector256.Create(ap[aOffsets.Row(3)]);
            c30 = Vector256.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector256.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector256.Create(ap[aOffsets.Row(4)]);
            c40 = Vector256.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector256.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector256.Create(ap[aOffsets.Row(5)]);
            c50 = Vector256.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector256.FusedMultiplyAdd(a5, b1, c51);
            b += 16;
        }
        Store(c, c00, c01, alpha, beta);
        Store(c + ldc, c10, c11, alpha, beta);
        Store(c + 2 * ldc, c20, c21, alpha, beta);
        Store(c + 3 * ldc, c30, c31, alpha, beta);
        Store(c + 4 * ldc, c40, c41, alpha, beta);
        Store(c + 5 * ldc, c50, c51, alpha, beta);
    }

    /// <summary>C[0:6, 0:32] ← α·Σ_q a[p_q, 0:6]ᵀ·b[q, 0:32] + β·C, twelve 16-wide accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel6x32<TDepths>(int depths, TDepths aOffsets, float* a, float* b, float* c, int ldc, float alpha, float beta)
        where TDepths : struct, IDepthOffsets
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int q = 0; q < depths; q++)
        {
            float* ap = a + aOffsets.At(q);
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(ap[0]);
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00);
            c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            var a1 = Vector512.Create(ap[aOffsets.Row(1)]);
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10);
            c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            var a2 = Vector512.Create(ap[aOffsets.Row(2)]);
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20);
            c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            var a3 = Vector512.Create(ap[aOffsets.Row(3)]);
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30);
            c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            var a4 = Vector512.Create(ap[aOffsets.Row(4)]);
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40);
            c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            var a5 = Vector512.Create(ap[aOffsets.Row(5)]);
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50);
            c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
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
    private static void Store(float* c, Vector128<float> left, Vector128<float> right, float alpha, float beta)
    {
        var scale = Vector128.Create(alpha);
        if (beta == 0f)
        {
            Vector128.Store(left * scale, c);
            Vector128.Store(right * scale, c + 4);
        }
        else
        {
            var keep = Vector128.Create(beta);
            Vector128.Store(MultiplyAdd(left, scale, Vector128.Load(c) * keep), c);
            Vector128.Store(MultiplyAdd(right, scale, Vector128.Load(c + 4) * keep), c + 4);
        }
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
