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
}
