namespace NotebookNet.Tensors;

/// <summary>
/// The reference matrix multiply: three loops, the definition and nothing else.
/// Tests compare <see cref="MatMul"/> with it. Introduced in notebook 02.
/// </summary>
public static class NaiveMatMul
{
    /// <summary>
    /// C ← α·op(A)·op(B) + β·C with op(A) of shape (m, k), op(B) of shape (k, n), all row-major.
    /// A is stored (m, k), or (k, m) when <paramref name="transposeA"/>; B is stored (k, n), or (n, k) when <paramref name="transposeB"/>.
    /// </summary>
    public static void Multiply(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transposeA = false, bool transposeB = false, float alpha = 1f, float beta = 0f)
    {
        MatMul.CheckArguments(a.Length, b.Length, c.Length, m, n, k);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float aip = transposeA ? a[p * m + i] : a[i * k + p];
                    float bpj = transposeB ? b[j * k + p] : b[p * n + j];
                    sum += (double)aip * bpj;
                }
                float previous = beta == 0f ? 0f : beta * c[i * n + j];
                c[i * n + j] = (float)(alpha * sum) + previous;
            }
        }
    }
}
