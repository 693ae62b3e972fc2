using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NotebookNet.Tensors;

/// <summary>
/// Products whose op(A) is mostly zeros, such as a batch of MNIST images (four pixels in five are 0) times a first
/// layer's weights: each row of op(A) multiplies only the rows of packed op(B) where it is not zero.
/// </summary>
/// <remarks>
/// Every element of C is still summed in the dense kernels' order — one running sum per depth block, depth by depth,
/// then added to C as the kernels' stores add — and a zero's term is left out, which changes no bit: a·0 is a zero and
/// s + 0 = s, for every finite a (a running sum that starts at +0 never becomes −0). So results are those of the dense
/// path to the last bit, whatever the vector width; only a NaN or an infinity in op(B) facing a zero of op(A), which the
/// dense path turns into a NaN, stays out.
/// </remarks>
public static unsafe partial class MatMul
{
    /// <summary>
    /// The share of zeros in op(A) from which its zeros are skipped. Measured on a (64, 784) × (784, 128) product with
    /// zeros at random places (AVX2, one thread of this Xeon, dense against sparse): 50 % zeros 134 against 125 µs,
    /// 60 % 122 against 99 µs, 70 % 122 against 82 µs, 80 % 120 against 62 µs.
    /// </summary>
    private const float SparseShare = 0.6f;

    /// <summary>Rows of op(A) sampled to decide whether it is mostly zeros.</summary>
    private const int SampledRows = 8;

    /// <summary>
    /// Leave out products with zeros (default: on): the zeros of an op(A) that is mostly zeros, the rows of zeros of a
    /// packed panel of B (a weight gradient's X), and the aligned runs of 8 zeros (16 with AVX-512) of a batch of one
    /// through <see cref="Layers.Linear.Forward"/>. Off, every product multiplies every pair; the results are the same bits
    /// either way (finite operands). A frozen layer's one-row product (<see cref="RowTimesMatrix"/>) reads B's rows by x's
    /// nonzeros either way: that is how it works.
    /// </summary>
    public static bool SkipZeros { get; set; } = true;

    /// <summary>Whether the first rows of op(A), stored (m, k), are mostly zeros; only then do zeros pay for skipping.</summary>
    private static bool IsMostlyZeros(in Operands o)
    {
        if (!SkipZeros || o.TransposeA || !HasFusedMultiplyAdd)
        {
            // A stored (k, m) has no contiguous rows to scan. Without fused multiply-adds in the processor the dense
            // kernels round by width (the 128-bit one twice, the wider ones once, emulated); the sparse one would have to
            // repeat each width's rule to give their bits, so they run instead.
            return false;
        }
        int rows = Math.Min(SampledRows, o.M);
        long length = (long)rows * o.K, whole = length - length % Vector<float>.Count;
        Vector<int> zeros = Vector<int>.Zero;
        for (long p = 0; p < whole; p += Vector<float>.Count)
        {
            zeros -= Vector.Equals(Vector.Load(o.A + p), Vector<float>.Zero); // a lane that is zero counts −1
        }
        long count = Vector.Sum(zeros);
        for (long p = whole; p < length; p++)
        {
            count += o.A[p] == 0f ? 1 : 0;
        }
        return count >= SparseShare * length;
    }

    /// <summary>
    /// C[i0 : i0 + mc, panels [firstPanel, endPanel)] ← α·op(A)·op(B) + β·C from op(A)'s rows and packed op(B), skipping
    /// each row's zeros: depth block by depth block, the first applying β and the later ones adding to it, as the dense
    /// kernels' stores do.
    /// </summary>
    /// <remarks>
    /// <para>The rows are scanned for their nonzeros first, each whole and the task's rows one after another, as they lie
    /// in memory, which the processor mostly fetches ahead unasked (<see cref="RowsAhead"/>). Scanned one depth block at a
    /// time instead (a third of each of 96 rows, 3 KB apart, each asked for four rows ahead), W1's first layer on the
    /// 10,000 test digits took 3.73 and 4.14 ms against 3.56 and 3.90 (AVX2, medians of 99 runs each way, alternating in
    /// one process; two sets of runs, 2026-11-30).</para>
    /// <para>A row multiplies one row of op(B) per nonzero, with no rows of its own to share the load with (the dense kernel
    /// uses each load of B six times), so B must come from the caches: the columns go in passes of eight vectors (64 with
    /// 256-bit vectors) while every row of the task takes its turn, a row at a time with eight running sums in registers
    /// (<see cref="RowPass"/>). With 128-bit vectors (Arm64's), before the passes took every width, a row's sums were kept
    /// in memory: W1's first layer on the test set took 15.6 ms, against 5.7 ms with the passes (2026-11-30, the Xeon,
    /// DOTNET_PreferredVectorBitWidth=128).</para>
    /// </remarks>
    private static void SparseRows(in Operands o, in PackedB packedB, int i0, int mc, int firstPanel, int endPanel)
    {
        int nr = packedB.Nr, blocks = (o.K + KC - 1) / KC;
        // Depth block d's lists: each row's nonzero depths in order, as offsets into a panel (p·nr), and their values, at
        // d·stride (Nonzeros writes up to 8 past the last one); row r's are [starts[d·(mc + 1) + r], … + r + 1]. A NaN is
        // not zero and stays in.
        int stride = mc * KC + 8;
        int[] offsetArray = ArrayPool<int>.Shared.Rent(blocks * stride);
        float[] valueArray = ArrayPool<float>.Shared.Rent(blocks * stride);
        int* starts = stackalloc int[blocks * (mc + 1)];
        int* counts = stackalloc int[blocks];
        fixed (int* offsets = offsetArray)
        fixed (float* values = valueArray)
        {
            new Span<int>(counts, blocks).Clear();
            for (int r = 0; r < mc; r++)
            {
                float* row = o.A + (long)(i0 + r) * o.K;
                if (i0 + r + RowsAhead < o.M)
                {
                    // The row after next, asked for while this one is scanned (past the task's last row too: its next
                    // task's first rows, where the processor's own guess has to start again).
                    Memory.Prefetch(row + RowsAhead * (long)o.K, o.K);
                }
                for (int d = 0; d < blocks; d++)
                {
                    int start = d * stride + counts[d];
                    starts[d * (mc + 1) + r] = counts[d];
                    counts[d] += Nonzeros(row + d * KC, Math.Min(KC, o.K - d * KC), nr, offsets + start, values + start);
                }
            }
            for (int d = 0; d < blocks; d++)
            {
                starts[d * (mc + 1) + mc] = counts[d];
                int k0 = d * KC, kc = Math.Min(KC, o.K - k0);
                SparseBlock(o, packedB.Panel(k0, kc, 0), kc, offsets + d * stride, values + d * stride, starts + d * (mc + 1),
                    i0, mc, firstPanel, endPanel, nr, d == 0 ? o.Beta : 1f);
            }
        }
        ArrayPool<int>.Shared.Return(offsetArray);
        ArrayPool<float>.Shared.Return(valueArray);
    }

    /// <summary>One depth block of <see cref="SparseRows"/>: the rows' listed nonzeros times the packed block, in passes of columns.</summary>
    private static void SparseBlock(in Operands o, float* bBlock, int kc, int* offsets, float* values, int* starts,
        int i0, int mc, int firstPanel, int endPanel, int nr, float beta)
    {
        int firstColumn = firstPanel * nr, endColumn = Math.Min(endPanel * nr, o.N);
        float** b = stackalloc float*[RowPassVectors];
        for (int j0 = firstColumn; j0 < endColumn;)
        {
            // The widest pass that fits: eight 512-bit vectors where UseVector512, else eight of the platform's width; what
            // is left, fewer columns than that, in the platform's vectors with the sums in memory. Vector v of a pass,
            // columns j0 + v·width …, lies in panel (j0 + v·width) / nr of the block.
            int width = endColumn - j0 >= RowPassVectors * RowWidth ? RowWidth : Vector<float>.Count;
            int columns = Math.Min(RowPassVectors * width, endColumn - j0);
            for (int v = 0; v < RowPassVectors; v++)
            {
                int j = j0 + v * width;
                b[v] = bBlock + (long)(j / nr) * nr * kc + j % nr;
            }
            float* c = o.C + (long)i0 * o.N + j0;
            if (columns == RowPassVectors * width)
            {
                RowPass(b, width, offsets, values, starts, mc, c, o.N, o.Alpha, beta);
            }
            else
            {
                for (int r = 0; r < mc; r++)
                {
                    SparseRow(b, columns, offsets, values, starts[r], starts[r + 1], c + (long)r * o.N, o.Alpha, beta);
                }
            }
            j0 += columns;
        }
    }

    /// <summary>
    /// y ← α·x·B + β·y for one row x of length k and B stored (k, n), each element summed as <see cref="Multiply"/> sums
    /// it in a product of many rows: a running sum per depth block of <see cref="KC"/>, depth by depth with x's zeros left
    /// out, added to y as the kernels' stores add. So a row gets the bits it gets in a batch (where the processor has fused
    /// multiply-adds, as <see cref="SparseRows"/> does). Only the rows of B where x is not zero are read, each in whole: a
    /// dense layer's weights stored transposed, (in, out), for one MNIST digit are 151 rows of the 784 on average, where
    /// the dot products of a batch of one (<see cref="DotFour"/>) read every aligned run of W that meets a nonzero pixel,
    /// 40 % of it with AVX2's runs of 8, 58 % with AVX-512's of 16. <see cref="Training.FrozenModel"/> keeps its dense
    /// layers' weights that way.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its shape needs, or a size is negative.</exception>
    [SkipLocalsInit]   // the scan writes the nonzeros' lists before they are read
    internal static void RowTimesMatrix(ReadOnlySpan<float> x, ReadOnlySpan<float> b, Span<float> y, int n, int k, float alpha = 1f, float beta = 0f)
    {
        CheckArguments(x.Length, b.Length, y.Length, 1, n, k);
        if (k == 0)
        {
            ScaleInPlace(y[..n], beta);
            return;
        }
        if (k == 1)
        {
            // As Multiply computes a product of depth 1, for every number of rows.
            OuterProduct(x[..1], b[..n], y, alpha, beta);
            return;
        }
        int blocks = (k + KC - 1) / KC, stride = KC + 8;
        (int tasks, _) = (long)k * n >= OneRowSplit ? SplitThin(blocks, (long)k * n, granule: 1) : (1, blocks);
        if (tasks == 1)
        {
            // One thread (B under 1 MB, or one depth block): block by block, straight into y.
            int* blockOffsets = stackalloc int[stride];
            float* blockValues = stackalloc float[stride];
            fixed (float* px = x, pb = b, py = y)
            {
                for (int d = 0; d < blocks; d++)
                {
                    // The first depth block applies β; the later ones add to it.
                    RowBlock(px, pb, d, k, n, blockOffsets, blockValues, py, alpha, d == 0 ? beta : 1f);
                }
            }
            return;
        }
        // Block d's nonzeros in order, as offsets p·n into that block of B, and their values, at d·stride (Nonzeros writes
        // up to 8 past the last one); its sums at d·n.
        int[] offsetArray = ArrayPool<int>.Shared.Rent(blocks * stride);
        float[] valueArray = ArrayPool<float>.Shared.Rent(blocks * stride);
        float[] sumArray = ArrayPool<float>.Shared.Rent(blocks * n);
        fixed (float* px = x, pb = b, py = y, values = valueArray, sums = sumArray)
        fixed (int* offsets = offsetArray)
        {
            // Each depth block's sums on their own, the blocks shared between the threads, each thread scanning its blocks
            // of x and reading only their rows of B (split by columns instead, both cores read every row, and two were
            // slower than one); then added to y in block order, as the kernels' stores add them. Even blocks first, then
            // odd: the calling thread's share and the other's each take every other block, and a digit's strokes fill the
            // middle ones.
            (nint xAddress, nint bAddress, nint offsetAddress, nint valueAddress, nint sumAddress) =
                ((nint)px, (nint)pb, (nint)offsets, (nint)values, (nint)sums);
            int even = (blocks + 1) / 2;
            Workers.Run(blocks, MaxDegreeOfParallelism, task =>
            {
                int d = task < even ? 2 * task : 2 * (task - even) + 1;
                RowBlock((float*)xAddress, (float*)bAddress, d, k, n, (int*)offsetAddress + d * stride, (float*)valueAddress + d * stride,
                    (float*)sumAddress + d * n, alpha: 1f, beta: 0f);
            });
            for (int d = 0; d < blocks; d++)
            {
                // As above; a sum stored with α = 1 and β = 0 is itself.
                AddScaled(sums + d * n, py, n, alpha, d == 0 ? beta : 1f);
            }
        }
        ArrayPool<int>.Shared.Return(offsetArray);
        ArrayPool<float>.Shared.Return(valueArray);
        ArrayPool<float>.Shared.Return(sumArray);
    }

    /// <summary>
    /// The size of B, in floats (1 MB), from which <see cref="RowTimesMatrix"/> splits its depth blocks between the cores.
    /// Below it one core reads B from its own cache as fast as two share it, and a digit never waits for the other core,
    /// whose thread this machine's host now and then holds back for whole runs. Frozen 784-h-h-10 ReLU networks, a test
    /// digit at a time (AVX2, one thread against two, medians of five passes of 3,000 digits): h = 128 1.95 against
    /// 2.29 µs, 256 3.75 against 4.05, 512 14.7 against 7.9 (its two layers, 1.6 and 1 MB, overflow one core's 2 MB L2
    /// cache), 800 27.6 against 19.2. W4b (W1's 784-128-10) on two cores fell to 334K–373K digits a second in two of six
    /// runs and on one core never (703K–753K).
    /// </summary>
    private const long OneRowSplit = 1L << 18;

    /// <summary>
    /// Depth block <paramref name="d"/> of <see cref="RowTimesMatrix"/>: x's nonzeros there, listed in
    /// <paramref name="offsets"/> and <paramref name="values"/>, times their rows of B, stored into y with α and β.
    /// </summary>
    /// <remarks>
    /// This and the methods it calls are compiled optimised at once, as the micro-kernels are: in a notebook's kernel,
    /// where methods start unoptimised, a frozen network took 17–28 µs a digit for a whole pass of the test set, against
    /// 3 µs once optimised.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowBlock(float* x, float* b, int d, int k, int n, int* offsets, float* values, float* y, float alpha, float beta)
    {
        int count = Nonzeros(x + d * KC, Math.Min(KC, k - d * KC), n, offsets, values);
        RowColumns(b + (long)d * KC * n, offsets, values, count, y, 0, n, alpha, beta);
    }

    /// <summary>y ← α·sum + β·y, rounded as the kernels' stores round.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddScaled(float* sum, float* y, int n, float alpha, float beta)
    {
        int j = 0, width = Vector<float>.Count;
        for (; j + width <= n; j += width)
        {
            StoreScaled(y + j, Vector.Load(sum + j), alpha, beta);
        }
        for (; j < n; j++)
        {
            StoreScaled(y + j, sum[j], alpha, beta);
        }
    }

    /// <summary>
    /// Columns [first, end) of <see cref="RowTimesMatrix"/> for one depth block: passes of eight vectors, then two vectors
    /// at a time, then what is left.
    /// </summary>
    /// <remarks>
    /// Each column's sum is one chain of multiply-adds, each waiting for the one before, so a pass's time is the chain's
    /// length unless several chains run in one loop. A last layer's ten classes are one vector and two columns (AVX2): the
    /// two columns' chains run in the same loop as the vector's, as a second vector that ends at the last column (columns
    /// 2–9), whose lanes that repeat the first vector's columns are summed alike and not stored. Fewer columns than a
    /// vector left at the end are likewise one vector ending at the last column.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowColumns(float* block, int* offsets, float* values, int count, float* y, int first, int end, float alpha, float beta)
    {
        int width = Vector<float>.Count, j = first;
        float** b = stackalloc float*[RowPassVectors];
        int* rowStarts = stackalloc int[] { 0, count };
        foreach (int passWidth in (ReadOnlySpan<int>)[RowWidth, width])
        {
            // Passes of eight 512-bit vectors where UseVector512, then of the platform's width.
            for (; j + RowPassVectors * passWidth <= end; j += RowPassVectors * passWidth)
            {
                for (int v = 0; v < RowPassVectors; v++)
                {
                    b[v] = block + j + v * passWidth;
                }
                RowPass(b, passWidth, offsets, values, rowStarts, 1, y + j, 0, alpha, beta);
            }
        }
        for (; j + width < end; j += 2 * width)
        {
            // Two vectors; the second ends at the last column when fewer than two are left.
            int second = Math.Min(j + width, end - width);
            Vector<float> sum = default, next = default;
            for (int q = 0; q < count; q++)
            {
                var a = new Vector<float>(values[q]);
                float* row = block + offsets[q];
                sum = MultiplyAdd(a, Vector.Load(row + j), sum);
                next = MultiplyAdd(a, Vector.Load(row + second), next);
            }
            StoreScaled(y + j, sum, alpha, beta);
            if (second == j + width)
            {
                StoreScaled(y + second, next, alpha, beta);
                continue;
            }
            for (int c = j + width; c < end; c++)
            {
                // The columns the first vector did not store, from the second (its lanes are columns second …).
                StoreScaled(y + c, next[c - second], alpha, beta);
            }
            return;
        }
        if (j < end && end - first >= width)
        {
            // At most one vector's columns left: one vector ending at the last column.
            int last = end - width;
            Vector<float> sum = default;
            for (int q = 0; q < count; q++)
            {
                sum = MultiplyAdd(new Vector<float>(values[q]), Vector.Load(block + offsets[q] + last), sum);
            }
            if (last == j)
            {
                StoreScaled(y + j, sum, alpha, beta);
                return;
            }
            for (; j < end; j++)
            {
                StoreScaled(y + j, sum[j - last], alpha, beta);
            }
        }
        for (; j < end; j++)
        {
            // Fewer columns than a vector holds.
            float sum = 0f;
            for (int q = 0; q < count; q++)
            {
                sum = MultiplyAdd(values[q], block[offsets[q] + j], sum);
            }
            StoreScaled(y + j, sum, alpha, beta);
        }
    }

    /// <summary>Vectors of columns that <see cref="RowPass"/> sums at once: eight running sums, and registers to spare.</summary>
    private const int RowPassVectors = 8;

    /// <summary>
    /// Eight vectors of <paramref name="width"/> columns (16: 512-bit vectors; else the platform's), vector v's from b[v],
    /// for each of the <paramref name="rows"/> rows in turn, row r stored <paramref name="ldy"/> floats after row r − 1:
    /// Σ_q values[q]·b[v][offsets[q] …] over row r's nonzeros of one depth block, [starts[r], starts[r + 1]), which follow
    /// row r − 1's; then stored as the kernels store: y ← α·sum + β·y.
    /// </summary>
    /// <remarks>
    /// <para>A row at a time, its eight sums hiding each other's latency. Two rows of four vectors at a time (the kernel
    /// before this one) loaded a value and an offset per four multiply-adds instead of per eight, and the longer row of a
    /// pair ran its last nonzeros alone: W1's first layer on the test set took 3.44 and 3.57 ms that way against 3.27 and
    /// 3.39 ms (AVX2; in an AVX-512 process, before the 512-bit passes, 3.68 against 3.45; 128-bit vectors 5.97 against
    /// 5.72; alternating in one process, 2026-11-30, on the Xeon).</para>
    /// <para>The rows go through one call: a call per row, each passing its arguments and loading the eight pointers of
    /// B again, took W1's first layer on the test set 4.30–4.36 ms against 4.14–4.20 ms (AVX2; natively 4.02–4.10
    /// against 3.84–3.93; AMD EPYC Zen 5, two builds alternately, medians of 100 runs, 2026-11-30).</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPass(float** b, int width, int* offsets, float* values, int* starts, int rows, float* y, int ldy, float alpha, float beta)
    {
        if (width == 16)
        {
            RowPass512(b, offsets, values, starts, rows, y, ldy, alpha, beta);
        }
        else
        {
            RowPassOfVectors(b, offsets, values, starts, rows, y, ldy, alpha, beta);
        }
    }

    /// <summary><see cref="RowPass"/> in vectors of the platform's preferred width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPassOfVectors(float** b, int* offsets, float* values, int* starts, int rows, float* y, int ldy, float alpha, float beta)
    {
        float* b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5], b6 = b[6], b7 = b[7];
        nint q = starts[0];
        for (int r = 0; r < rows; r++, y += ldy)
        {
            nint end = starts[r + 1];
            Vector<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (; q < end; q++)
            {
                var a = new Vector<float>(values[q]);
                nuint d = (uint)offsets[q];
                s0 = MultiplyAdd(a, Vector.Load(b0 + d), s0);
                s1 = MultiplyAdd(a, Vector.Load(b1 + d), s1);
                s2 = MultiplyAdd(a, Vector.Load(b2 + d), s2);
                s3 = MultiplyAdd(a, Vector.Load(b3 + d), s3);
                s4 = MultiplyAdd(a, Vector.Load(b4 + d), s4);
                s5 = MultiplyAdd(a, Vector.Load(b5 + d), s5);
                s6 = MultiplyAdd(a, Vector.Load(b6 + d), s6);
                s7 = MultiplyAdd(a, Vector.Load(b7 + d), s7);
            }
            int w = Vector<float>.Count;
            StoreSparse(y, s0, s1, s2, s3, alpha, beta);
            StoreSparse(y + 4 * w, s4, s5, s6, s7, alpha, beta);
        }
    }

    /// <summary><see cref="RowPass"/> in 512-bit vectors: 128 columns a pass.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowPass512(float** b, int* offsets, float* values, int* starts, int rows, float* y, int ldy, float alpha, float beta)
    {
        float* b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3], b4 = b[4], b5 = b[5], b6 = b[6], b7 = b[7];
        nint q = starts[0];
        for (int r = 0; r < rows; r++, y += ldy)
        {
            nint end = starts[r + 1];
            Vector512<float> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
            for (; q < end; q++)
            {
                var a = Vector512.Create(values[q]);
                nuint d = (uint)offsets[q];
                s0 = MultiplyAdd(a, Vector512.Load(b0 + d), s0);
                s1 = MultiplyAdd(a, Vector512.Load(b1 + d), s1);
                s2 = MultiplyAdd(a, Vector512.Load(b2 + d), s2);
                s3 = MultiplyAdd(a, Vector512.Load(b3 + d), s3);
                s4 = MultiplyAdd(a, Vector512.Load(b4 + d), s4);
                s5 = MultiplyAdd(a, Vector512.Load(b5 + d), s5);
                s6 = MultiplyAdd(a, Vector512.Load(b6 + d), s6);
                s7 = MultiplyAdd(a, Vector512.Load(b7 + d), s7);
            }
            StoreScaled(y, s0, alpha, beta);
            StoreScaled(y + 16, s1, alpha, beta);
            StoreScaled(y + 32, s2, alpha, beta);
            StoreScaled(y + 48, s3, alpha, beta);
            StoreScaled(y + 64, s4, alpha, beta);
            StoreScaled(y + 80, s5, alpha, beta);
            StoreScaled(y + 96, s6, alpha, beta);
            StoreScaled(y + 112, s7, alpha, beta);
        }
    }

    /// <summary>
    /// Writes the nonzero values of <paramref name="row"/>[0 : kc] (a NaN included) to <paramref name="values"/> and their
    /// depths, as offsets p·nr into a packed panel, to <paramref name="offsets"/>, in order; returns how many. Each array
    /// must have room for kc values (8 more are written past the last one, which the next row overwrites).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Nonzeros(float* row, int kc, int nr, int* offsets, float* values)
    {
        int count = 0, p = 0;
        if (Avx2.IsSupported)
        {
            // Eight values at a time, without a branch: the nonzero ones' positions are looked up by the comparison's
            // bits, moved to the front and stored, and the count grows by as many. A compare and a mispredicted branch
            // per value cost more than the products they saved.
            var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * nr;
            for (; p + 8 <= kc; p += 8)
            {
                var chunk = Vector256.Load(row + p);
                uint nonzero = ~Vector256.Equals(chunk, Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFF;
                var order = Vector256.Load(s_frontFirst + nonzero * 8);
                Avx2.PermuteVar8x32(chunk, order).Store(values + count);
                Avx2.PermuteVar8x32(Vector256.Create(p * nr) + lanes, order).Store(offsets + count);
                count += BitOperations.PopCount(nonzero);
            }
        }
        for (; p < kc; p++)
        {
            // One at a time, also without a branch: every value is written, and kept by counting it.
            offsets[count] = p * nr;
            values[count] = row[p];
            count += row[p] != 0f ? 1 : 0;
        }
        return count;
    }

    /// <summary>
    /// For each 8-bit mask, the positions of its set bits first, in order: row m·8 … m·8 + 7 of the table moves the lanes
    /// that a comparison marked to the front of a vector.
    /// </summary>
    private static readonly int* s_frontFirst = FrontFirstTable();

    private static int* FrontFirstTable()
    {
        int* table = (int*)NativeMemory.AllocZeroed(256 * 8 * sizeof(int));
        for (int mask = 0; mask < 256; mask++)
        {
            int next = 0;
            for (int lane = 0; lane < 8; lane++)
            {
                if ((mask >> lane & 1) != 0)
                {
                    table[mask * 8 + next++] = lane;
                }
            }
        }
        return table;
    }

    /// <summary>
    /// Rows ahead of the scan that <see cref="SparseRows"/> asks memory for. W1's first layer on the test set (AVX2,
    /// alternating in one process, medians of 74 runs each, two sets): 3.53 and 3.43 ms without, 3.42 and 3.35 ms two rows
    /// ahead, 3.42–3.44 and 3.37–3.38 six or twelve rows ahead.
    /// </summary>
    private const int RowsAhead = 2;

    /// <summary>
    /// Floats in a vector of the widest <see cref="RowPass"/>: 16 where <see cref="UseVector512"/> (.NET keeps
    /// <see cref="Vector{T}"/> at 256 bits on such processors), else <see cref="Vector{T}"/>'s.
    /// </summary>
    private static int RowWidth => UseVector512 ? 16 : Vector<float>.Count;

    private static void StoreSparse(float* c, Vector<float> s0, Vector<float> s1, Vector<float> s2, Vector<float> s3, float alpha, float beta)
    {
        int w = Vector<float>.Count;
        StoreScaled(c, s0, alpha, beta);
        StoreScaled(c + w, s1, alpha, beta);
        StoreScaled(c + 2 * w, s2, alpha, beta);
        StoreScaled(c + 3 * w, s3, alpha, beta);
    }

    /// <summary>
    /// One row of C over the <paramref name="columns"/> of a last pass, fewer than eight vectors of the platform's width,
    /// its nonzeros [q, end), with its sums kept in memory.
    /// </summary>
    private static void SparseRow(float** b, int columns, int* offsets, float* values, int q, int end, float* c, float alpha, float beta)
    {
        int width = Vector<float>.Count, vectors = (columns + width - 1) / width;
        Vector<float>* sums = stackalloc Vector<float>[RowPassVectors];
        for (int v = 0; v < vectors; v++)
        {
            sums[v] = default;
        }
        for (; q < end; q++)
        {
            var x = new Vector<float>(values[q]);
            for (int v = 0; v < vectors; v++)
            {
                sums[v] = MultiplyAdd(x, Vector.Load(b[v] + offsets[q]), sums[v]);
            }
        }
        float* sum = (float*)sums;
        for (int j = 0; j < columns; j++)
        {
            StoreScaled(c + j, sum[j], alpha, beta);
        }
    }
}
