using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace NotebookNet.Tensors;

/// <summary>The blocked product: packing op(A) and op(B) into panels, and spreading blocks of C over threads.</summary>
public static unsafe partial class MatMul
{
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
        int width = VectorFloats;
        int nr = 2 * width;
        int panels = (o.N + nr - 1) / nr;
        int paddedN = panels * nr;
        long work = (long)o.M * o.N * o.K;
        int threads = work < ParallelThreshold ? 1 : Math.Max(1, MaxDegreeOfParallelism);
        // Few rows and more columns (a small batch times a weight matrix, whose packed A fits one block of MC·KC however
        // many rows): split the columns between the threads, each packing its own panels of B and taking every row in one
        // block. Otherwise give each thread whole blocks of rows, small enough that every thread gets one, and pack B
        // once — also for Aᵀ·B, which in this library is a dense layer's weight gradient (∂L/∂Yᵀ·X), though its rows are
        // few: a thread then writes the rows of the gradient that its share of the optimizer's update reads next, in its
        // own core's cache (W1, AVX2, bench medians in three alternate pairs: 0.43–0.46 → 0.35–0.39 s an epoch against
        // splitting the columns; packing B once by both threads instead of all of it by each: 0.148–0.153 → 0.146–0.148).
        // And for an op(A) of mostly zeros, whose rows each thread would otherwise scan in full for their nonzeros: W1's
        // forward product with rows of zeros took 33 µs on two threads splitting the columns, 16 µs splitting the rows.
        bool sparse = IsMostlyZeros(o);
        bool packInTasks = threads > 1 && (long)RoundUp(o.M, MR) * Math.Min(o.K, KC) <= (long)MC * KC && o.N > o.M
            && !(o.TransposeA && o.M >= threads * MR) && !sparse;
        // Rows go to the threads in blocks of whole panels of A, or of single rows when the sparse kernel, which takes a
        // row at a time, reads them instead (W1's batch of 64: 32 and 32 rows, not 36 and 28); at most MC rows a block,
        // and on several threads a number of blocks that each thread gets as many of, of sizes within a panel of each
        // other: 256 rows in blocks of 96, 96 and 64 kept one core idle for two fifths of the product (66, 66, 66 and 58 now).
        var rowBlocks = new RowBlocks(o.M, sparse ? 1 : MR,
            packInTasks ? 1 : threads == 1 ? CeilDiv(o.M, MC) : RoundUp(CeilDiv(o.M, MC), threads));
        int columnGroups = packInTasks ? Math.Min(panels, threads) : 1;
        int tasks = rowBlocks.Count * columnGroups;

        // Packed op(B): for each depth block [k0, k0+kc), each panel holds kc rows of nr floats, and which depths they
        // are (as offsets into a packed panel of A).
        long packedLength = (long)o.K * paddedN, depthsLength = (long)o.K * panels, countsLength = (long)((o.K + KC - 1) / KC) * panels;
        float[] packedB = ArrayPool<float>.Shared.Rent(checked((int)packedLength));
        int[] depthArray = ArrayPool<int>.Shared.Rent(checked((int)depthsLength));
        int[] countArray = ArrayPool<int>.Shared.Rent(checked((int)countsLength));
        fixed (float* pbp = packedB)
        fixed (int* pd = depthArray, pn = countArray)
        {
            // A panel of B leaves out its rows of zeros (B stored (k, n), unless the rows of A skip their own zeros, which
            // reads B's rows by depth).
            bool skipZeroRows = SkipZeros && !o.TransposeB && !sparse;
            (nint values, nint depths, nint counts) = ((nint)pbp, (nint)pd, (nint)pn);
            PackedB Packed() => new((float*)values, (int*)depths, (int*)counts, nr, panels, skipZeroRows);
            if (!packInTasks)
            {
                // Packed once for all tasks, by all threads, each its share of the panels (on one thread, all of them):
                // packed by the calling thread alone, best-mlp's products (batch 128) kept the other core waiting for
                // ~12 % of the step.
                int packers = Math.Min(threads, panels);
                Workers.Run(packers, packers, t => PackB(o, Packed(), panels * t / packers, panels * (t + 1) / packers));
            }
            void Task(int t) => RunTask(o, Packed(), t, rowBlocks, columnGroups, width, packInTasks, sparse);

            Workers.Run(tasks, threads, Task);
        }
        ArrayPool<float>.Shared.Return(packedB);
        ArrayPool<int>.Shared.Return(depthArray);
        ArrayPool<int>.Shared.Return(countArray);
    }

    /// <summary>
    /// Packed op(B): <see cref="Values"/> holds, for each depth block [k0, k0 + kc), <see cref="Panels"/> panels of kc rows of
    /// <see cref="Nr"/> floats (at k0·paddedN + panel·nr·kc); a panel's first <see cref="Count"/> rows are those its kernel
    /// multiplies. A panel that kept all kc rows holds every depth in turn; one that left rows of zeros out (when
    /// <see cref="SkipZeroRows"/>: each would add a·0 = 0 to its sums, which changes no bit) lists in <see cref="Depths"/>
    /// (at k0·panels + panel·kc) which depth each kept row is, as the offset p·MR of that depth in a packed panel of A.
    /// </summary>
    private readonly struct PackedB(float* values, int* depths, int* counts, int nr, int panels, bool skipZeroRows)
    {
        public readonly float* Values = values;
        public readonly int* Depths = depths;
        public readonly int* Counts = counts;
        public readonly int Nr = nr, Panels = panels;
        public readonly bool SkipZeroRows = skipZeroRows;

        public int PaddedN => Panels * Nr;

        /// <summary>The first value of panel <paramref name="panel"/> in the depth block starting at <paramref name="k0"/>.</summary>
        public float* Panel(int k0, int kc, int panel) => Values + (long)k0 * PaddedN + (long)panel * Nr * kc;

        /// <summary>The depths of the rows that panel holds, as offsets into a packed panel of A.</summary>
        public int* PanelDepths(int k0, int kc, int panel) => Depths + (long)k0 * Panels + (long)panel * kc;

        /// <summary>How many rows that panel holds.</summary>
        public ref int Count(int k0, int panel) => ref Counts[k0 / KC * Panels + panel];
    }

    /// <summary>Packs panels [firstPanel, endPanel) of op(B) for every depth block.</summary>
    private static void PackB(in Operands o, in PackedB packed, int firstPanel, int endPanel)
    {
        int nr = packed.Nr;
        for (int k0 = 0; k0 < o.K; k0 += KC)
        {
            int kc = Math.Min(KC, o.K - k0);
            for (int panelIndex = firstPanel; panelIndex < endPanel; panelIndex++)
            {
                int j0 = panelIndex * nr;
                float* panel = packed.Panel(k0, kc, panelIndex);
                int* depths = packed.PanelDepths(k0, kc, panelIndex);
                int columns = Math.Min(nr, o.N - j0);
                int rows = kc;
                if (!o.TransposeB && columns == nr)
                {
                    // op(B)(k, j) = B[k, j]: a run of nr floats of each stored row, copied as 128-bit vectors. A span copy
                    // per run cost more than the copying: W1's weight gradient packed its batch (64×784) in 35 µs a
                    // thread that way, in 23–26 µs this way (AVX2, a timing harness's thread-time per step). A run of
                    // zeros (an image's border in a weight gradient's X) is written and then overwritten by the next
                    // row: the kernel skips its depth.
                    rows = 0;
                    int keepAll = packed.SkipZeroRows ? 0 : 1;
                    for (int p = 0; p < kc; p++)
                    {
                        float* source = o.B + (long)(k0 + p) * o.N + j0, destination = panel + rows * nr;
                        Vector128<uint> bits = Vector128<uint>.Zero;
                        for (int q = 0; q < nr; q += 4)
                        {
                            var values = Vector128.Load(source + q);
                            bits |= values.AsUInt32();
                            Vector128.Store(values, destination + q);
                        }
                        depths[rows] = p * MR;
                        // Any set bit keeps the row: a NaN, and a −0 too, which it need not. Counted without a branch
                        // (4 lanes equal to zero give 0b1111, and (15 + 1) >> 4 = 1): a mispredicted branch per row made
                        // this loop twice as slow.
                        uint zeroLanes = Vector128.Equals(bits, Vector128<uint>.Zero).ExtractMostSignificantBits();
                        rows += (int)((zeroLanes + 1) >> 4 ^ 1) | keepAll;
                    }
                }
                else if (!o.TransposeB)
                {
                    // The last panel, narrower than nr: its columns, then zeros.
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
                    for (int p = 0; p < kc && columns < nr; p++)
                    {
                        // The last panel's columns past op(B)'s: zeros. (A call per row that clears nothing cost W1's
                        // forward product 3 µs of its 30.)
                        new Span<float>(panel + p * nr + columns, nr - columns).Clear();
                    }
                }
                packed.Count(k0, panelIndex) = rows;
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

    private static void RunTask(in Operands o, in PackedB packedB, int task, RowBlocks rowBlocks, int columnGroups, int width, bool packB, bool sparse)
    {
        int panels = packedB.Panels, nr = packedB.Nr;
        int group = task % columnGroups;
        int i0 = rowBlocks.Start(task / columnGroups);
        int mc = rowBlocks.Start(task / columnGroups + 1) - i0;
        int firstPanel = group * panels / columnGroups, endPanel = (group + 1) * panels / columnGroups;
        if (packB)
        {
            PackB(o, packedB, firstPanel, endPanel);
        }
        if (sparse)
        {
            SparseRows(o, packedB, i0, mc, firstPanel, endPanel);
            return;
        }

        float[] packedA = ArrayPool<float>.Shared.Rent(MC * KC + PackOverrun);
        float* tile = stackalloc float[MR * MaxNR];
        fixed (float* pap = packedA)
        {
            for (int k0 = 0; k0 < o.K; k0 += KC)
            {
                int kc = Math.Min(KC, o.K - k0);
                // The first depth block applies β; the later ones add to what it left.
                float beta = k0 == 0 ? o.Beta : 1f;
                // When the task has one panel of columns (a last layer's ten classes), A is stored (m, k) and B's panel
                // kept every depth, each panel of A would be packed only to be read once: the kernel reads MR rows at a
                // time where they lie instead, and only the last rows, fewer than MR, are packed. The products are the
                // same, in the same order.
                int inPlace = endPanel - firstPanel == 1 && !o.TransposeA && packedB.Count(k0, firstPanel) == kc ? mc - mc % MR : 0;
                PackA(o, pap, i0 + inPlace, mc - inPlace, k0, kc);
                for (int panel = firstPanel; panel < endPanel; panel++)
                {
                    int j0 = panel * nr;
                    int columns = Math.Min(nr, o.N - j0);
                    float* bPanel = packedB.Panel(k0, kc, panel);
                    int* depths = packedB.PanelDepths(k0, kc, panel);
                    int count = packedB.Count(k0, panel);
                    for (int r0 = 0; r0 < mc; r0 += MR)
                    {
                        int rows = Math.Min(MR, mc - r0);
                        float* c = o.C + (long)(i0 + r0) * o.N + j0;
                        // A whole tile is stored into C; an edge one into the tile's buffer, then only its rows and columns.
                        bool whole = rows == MR && columns == nr;
                        float* target = whole ? c : tile;
                        (int ldt, float alpha, float tileBeta) = whole ? (o.N, o.Alpha, beta) : (nr, 1f, 0f);
                        if (r0 < inPlace)
                        {
                            Kernel(width, kc, new RowsInPlace(o.K), o.A + (long)(i0 + r0) * o.K + k0, bPanel, target, ldt, alpha, tileBeta);
                        }
                        else
                        {
                            Kernel(width, count, depths, pap + (r0 - inPlace) * kc, bPanel, target, ldt, alpha, tileBeta, everyDepth: count == kc);
                        }
                        if (!whole)
                        {
                            for (int r = 0; r < rows; r++)
                            {
                                // Rounded as the kernels' own stores round, so an element of C does not depend on whether
                                // the vector width put it in a whole tile or an edge one: whole vectors, then one at a time
                                // (a last layer's ten classes are a vector and two with AVX2).
                                float* row = c + (long)r * o.N, sums = tile + r * nr;
                                int j = 0;
                                for (; j + System.Numerics.Vector<float>.Count <= columns; j += System.Numerics.Vector<float>.Count)
                                {
                                    StoreScaled(row + j, System.Numerics.Vector.Load(sums + j), o.Alpha, beta);
                                }
                                for (; j < columns; j++)
                                {
                                    StoreScaled(row + j, sums[j], o.Alpha, beta);
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

    private static int CeilDiv(int value, int divisor) => (value + divisor - 1) / divisor;

    /// <summary>
    /// The rows of C split into <see cref="Count"/> blocks of whole units (<paramref name="unit"/> rows: a panel of A, or
    /// one row), the units shared out evenly; only the last block may end in a part of a unit.
    /// </summary>
    private readonly struct RowBlocks(int rows, int unit, int wanted)
    {
        private readonly int _rows = rows, _unit = unit, _units = CeilDiv(rows, unit);

        /// <summary>How many blocks: as many as wanted, but never one without a unit.</summary>
        public int Count { get; } = Math.Min(wanted, CeilDiv(rows, unit));

        /// <summary>The first row of block <paramref name="block"/>; <see cref="Start"/>(<see cref="Count"/>) is the number of rows.</summary>
        public int Start(int block) => Math.Min(_rows, (int)((long)_units * block / Count) * _unit);
    }
}
