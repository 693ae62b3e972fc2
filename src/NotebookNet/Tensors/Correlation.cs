using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static NotebookNet.Tensors.MatMul;

namespace NotebookNet.Tensors;

/// <summary>
/// The kernels of a stride-1 convolution computed without im2col: the image is read in place at a shifted offset
/// for each kernel tap, instead of being copied into a patch matrix first.
/// </summary>
/// <remarks>
/// Store a zero-padded image of C channels row-major with row length <c>Wp</c>, flattened: an output at row i,
/// column j is then position q = i·Wp + j, and the input pixel under tap (c, u, v) of the window at q is
/// x[c·plane + u·Wp + v + q] — one constant offset per tap, the same for every q. So the patch matrix of im2col
/// never needs building: row p of it, at positions q..q+7, is eight consecutive floats of the padded image at
/// offset[p] + q, and a vector load reads it in place. Columns j ≥ OW of each row are computed too and thrown
/// away (the windows there wrap into the next row); that costs (k − 1)/Wp of the work.
/// <para><see cref="Correlate"/> is the forward pass, and with the kernel flipped and its channels swapped, the
/// gradient of the input; <see cref="CorrelateWeights"/> is the gradient of the weights. Used by
/// <see cref="Layers.Conv2d"/> for stride 1; the im2col product remains for other strides and as the reference the
/// tests compare against.</para>
/// </remarks>
internal static unsafe class Correlation
{
    /// <summary>Output channels of one micro-tile: four rows of three vectors each.</summary>
    public const int ChannelsPerTile = 4;

    /// <summary>
    /// Positions the input must stay readable past the last one computed: a partial tile reads a whole one, and the
    /// widest tile is three 512-bit vectors.
    /// </summary>
    public const int Overrun = 3 * 16;

    /// <summary>Positions in one tile: three vectors, of 512 bits where <see cref="MatMul.UseVector512"/> says so.</summary>
    private static int TilePositions => 3 * (UseVector512 ? Vector512<float>.Count : Vector<float>.Count);

    /// <summary>
    /// y[o, q] = Σ_p w[p, o]·x[offset[p] + q] for o in [0, channels) and q in [0, positions), each sum in tap order
    /// (fused multiply-adds where the processor has them), so every vector width gives the same bits.
    /// </summary>
    /// <param name="x">The padded input; readable up to the largest offset + positions + <see cref="Overrun"/>.</param>
    /// <param name="offsets">Each tap's offset into <paramref name="x"/>.</param>
    /// <param name="depth">The number of taps, C·k·k.</param>
    /// <param name="weights">Packed by <see cref="PackWeights"/>: for each group of four output channels, depth × 4 floats.</param>
    /// <param name="channels">Output channels, in groups of four; the rows of a last group past them are left as they were.</param>
    /// <param name="y">The output: a whole number of groups of four rows of <paramref name="ldy"/> floats.</param>
    /// <param name="ldy">Floats from one row of <paramref name="y"/> to the next.</param>
    /// <param name="positions">Positions q to compute in each row.</param>
    public static void Correlate(float* x, int* offsets, int depth, float* weights, int channels, float* y, int ldy, int positions)
    {
        bool wide = UseVector512;
        int width = TilePositions;
        float* tile = stackalloc float[ChannelsPerTile * Overrun];
        for (int g = 0; g < Groups(channels); g++)
        {
            float* w = weights + (long)g * depth * ChannelsPerTile;
            float* rows = y + (long)g * ChannelsPerTile * ldy;
            int wanted = Math.Min(ChannelsPerTile, channels - g * ChannelsPerTile);
            // A last group of one or two channels (LeNet-5's six) takes a tile of two: half the multiply-adds.
            bool two = wanted <= 2;
            int q = 0;
            for (; q + width <= positions; q += width)
            {
                ComputeTile(wide, two, x + q, offsets, depth, w, rows + q, ldy);
            }
            if (q < positions)
            {
                ComputeTile(wide, two, x + q, offsets, depth, w, tile, width);
                for (int r = 0; r < wanted; r++)
                {
                    new ReadOnlySpan<float>(tile + r * width, positions - q).CopyTo(new Span<float>(rows + (long)r * ldy + q, positions - q));
                }
            }
        }
    }

    /// <summary>
    /// Packs w (channels, depth), row-major, into groups of four output channels for <see cref="Correlate"/>:
    /// packed[g][p·4 + r] = w[4g + r, p], zero for the channels past the last.
    /// </summary>
    public static void PackWeights(ReadOnlySpan<float> w, int channels, int depth, Span<float> packed)
    {
        int groups = Groups(channels);
        for (int g = 0; g < groups; g++)
        {
            for (int p = 0; p < depth; p++)
            {
                for (int r = 0; r < ChannelsPerTile; r++)
                {
                    int o = g * ChannelsPerTile + r;
                    packed[(g * depth + p) * ChannelsPerTile + r] = o < channels ? w[o * depth + p] : 0f;
                }
            }
        }
    }

    /// <summary>Groups of four output channels needed for <paramref name="channels"/>.</summary>
    public static int Groups(int channels) => (channels + ChannelsPerTile - 1) / ChannelsPerTile;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ComputeTile(bool wide, bool two, float* x, int* offsets, int depth, float* w, float* y, int ldy)
    {
        if (two)
        {
            if (wide)
            {
                TileOfTwo512(x, offsets, depth, w, y, ldy);
            }
            else
            {
                TileOfTwo(x, offsets, depth, w, y, ldy);
            }
        }
        else if (wide)
        {
            Tile512(x, offsets, depth, w, y, ldy);
        }
        else
        {
            Tile(x, offsets, depth, w, y, ldy);
        }
    }

    /// <summary>
    /// <see cref="Tile"/> for the first two channels of a group only (the packing's other two are skipped): six
    /// accumulators, the same multiply-adds in the same order for those two, so the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileOfTwo(float* x, int* offsets, int depth, float* w, float* y, int ldy)
    {
        int v = Vector<float>.Count;
        Vector<float> a0 = default, b0 = default, c0 = default, a1 = default, b1 = default, c1 = default;
        for (int p = 0; p < depth; p++)
        {
            float* source = x + offsets[p];
            var xa = Vector.Load(source);
            var xb = Vector.Load(source + v);
            var xc = Vector.Load(source + 2 * v);
            var w0 = new Vector<float>(w[0]);
            a0 = MultiplyAdd(w0, xa, a0);
            b0 = MultiplyAdd(w0, xb, b0);
            c0 = MultiplyAdd(w0, xc, c0);
            var w1 = new Vector<float>(w[1]);
            a1 = MultiplyAdd(w1, xa, a1);
            b1 = MultiplyAdd(w1, xb, b1);
            c1 = MultiplyAdd(w1, xc, c1);
            w += ChannelsPerTile;
        }
        Store(y, a0, b0, c0, v);
        Store(y + ldy, a1, b1, c1, v);
    }

    /// <summary><see cref="TileOfTwo"/> with 512-bit vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TileOfTwo512(float* x, int* offsets, int depth, float* w, float* y, int ldy)
    {
        int v = Vector512<float>.Count;
        Vector512<float> a0 = default, b0 = default, c0 = default, a1 = default, b1 = default, c1 = default;
        for (int p = 0; p < depth; p++)
        {
            float* source = x + offsets[p];
            var xa = Vector512.Load(source);
            var xb = Vector512.Load(source + v);
            var xc = Vector512.Load(source + 2 * v);
            var w0 = Vector512.Create(w[0]);
            a0 = MultiplyAdd(w0, xa, a0);
            b0 = MultiplyAdd(w0, xb, b0);
            c0 = MultiplyAdd(w0, xc, c0);
            var w1 = Vector512.Create(w[1]);
            a1 = MultiplyAdd(w1, xa, a1);
            b1 = MultiplyAdd(w1, xb, b1);
            c1 = MultiplyAdd(w1, xc, c1);
            w += ChannelsPerTile;
        }
        Store(y, a0, b0, c0, v);
        Store(y + ldy, a1, b1, c1, v);
    }

    /// <summary>
    /// A 4 × (three vectors) tile: four output channels at 3·V consecutive positions, twelve accumulators. Per tap, three
    /// loads of the image and four broadcasts of weights feed twelve multiply-adds (measured on AVX2: 15–20 % faster than
    /// four channels by two vectors).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(float* x, int* offsets, int depth, float* w, float* y, int ldy)
    {
        int v = Vector<float>.Count;
        Vector<float> a0 = default, b0 = default, c0 = default, a1 = default, b1 = default, c1 = default;
        Vector<float> a2 = default, b2 = default, c2 = default, a3 = default, b3 = default, c3 = default;
        for (int p = 0; p < depth; p++)
        {
            float* source = x + offsets[p];
            var xa = Vector.Load(source);
            var xb = Vector.Load(source + v);
            var xc = Vector.Load(source + 2 * v);
            var w0 = new Vector<float>(w[0]);
            a0 = MultiplyAdd(w0, xa, a0);
            b0 = MultiplyAdd(w0, xb, b0);
            c0 = MultiplyAdd(w0, xc, c0);
            var w1 = new Vector<float>(w[1]);
            a1 = MultiplyAdd(w1, xa, a1);
            b1 = MultiplyAdd(w1, xb, b1);
            c1 = MultiplyAdd(w1, xc, c1);
            var w2 = new Vector<float>(w[2]);
            a2 = MultiplyAdd(w2, xa, a2);
            b2 = MultiplyAdd(w2, xb, b2);
            c2 = MultiplyAdd(w2, xc, c2);
            var w3 = new Vector<float>(w[3]);
            a3 = MultiplyAdd(w3, xa, a3);
            b3 = MultiplyAdd(w3, xb, b3);
            c3 = MultiplyAdd(w3, xc, c3);
            w += ChannelsPerTile;
        }
        Store(y, a0, b0, c0, v);
        Store(y + ldy, a1, b1, c1, v);
        Store(y + 2 * ldy, a2, b2, c2, v);
        Store(y + 3 * ldy, a3, b3, c3, v);
    }

    /// <summary>
    /// <see cref="Tile"/> with 512-bit vectors, 48 positions: each position's sum is the same multiply-adds in the same
    /// tap order, so the same bits as the narrower tiles.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile512(float* x, int* offsets, int depth, float* w, float* y, int ldy)
    {
        int v = Vector512<float>.Count;
        Vector512<float> a0 = default, b0 = default, c0 = default, a1 = default, b1 = default, c1 = default;
        Vector512<float> a2 = default, b2 = default, c2 = default, a3 = default, b3 = default, c3 = default;
        for (int p = 0; p < depth; p++)
        {
            float* source = x + offsets[p];
            var xa = Vector512.Load(source);
            var xb = Vector512.Load(source + v);
            var xc = Vector512.Load(source + 2 * v);
            var w0 = Vector512.Create(w[0]);
            a0 = MultiplyAdd(w0, xa, a0);
            b0 = MultiplyAdd(w0, xb, b0);
            c0 = MultiplyAdd(w0, xc, c0);
            var w1 = Vector512.Create(w[1]);
            a1 = MultiplyAdd(w1, xa, a1);
            b1 = MultiplyAdd(w1, xb, b1);
            c1 = MultiplyAdd(w1, xc, c1);
            var w2 = Vector512.Create(w[2]);
            a2 = MultiplyAdd(w2, xa, a2);
            b2 = MultiplyAdd(w2, xb, b2);
            c2 = MultiplyAdd(w2, xc, c2);
            var w3 = Vector512.Create(w[3]);
            a3 = MultiplyAdd(w3, xa, a3);
            b3 = MultiplyAdd(w3, xb, b3);
            c3 = MultiplyAdd(w3, xc, c3);
            w += ChannelsPerTile;
        }
        Store(y, a0, b0, c0, v);
        Store(y + ldy, a1, b1, c1, v);
        Store(y + 2 * ldy, a2, b2, c2, v);
        Store(y + 3 * ldy, a3, b3, c3, v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, Vector512<float> a, Vector512<float> b, Vector512<float> c, int v)
    {
        a.Store(y);
        b.Store(y + v);
        c.Store(y + 2 * v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* y, Vector<float> a, Vector<float> b, Vector<float> c, int v)
    {
        a.Store(y);
        b.Store(y + v);
        c.Store(y + 2 * v);
    }

    /// <summary>
    /// dw[o, p] = Σ_q g[o, q]·x[offset[p] + q] for o in [0, groups·4), p in [0, depth): the gradient of the weights.
    /// Each sum over q is added in one fixed order whatever the vector width: eight running sums of multiply-adds (sum ℓ
    /// takes the positions q ≡ ℓ mod 8 in turn), folded in halves as <see cref="FixedOrder"/> does.
    /// </summary>
    /// <param name="g">The output gradient: groups·4 rows of <paramref name="ldg"/> floats, zero at the positions to leave out.</param>
    /// <param name="ldg">Floats from one row of <paramref name="g"/> to the next.</param>
    /// <param name="groups">Groups of four output channels.</param>
    /// <param name="x">The padded input, as for <see cref="Correlate"/>.</param>
    /// <param name="offsets">Each tap's offset into <paramref name="x"/>.</param>
    /// <param name="depth">The number of taps.</param>
    /// <param name="positions">Positions q summed over; a multiple of 8.</param>
    /// <param name="dw">(groups·4, depth), row-major.</param>
    /// <exception cref="ArgumentException"><paramref name="positions"/> is not a multiple of 8.</exception>
    public static void CorrelateWeights(float* g, int ldg, int groups, float* x, int* offsets, int depth, int positions, float* dw)
    {
        if (positions % 8 != 0)
        {
            throw new ArgumentException($"positions must be a multiple of 8, got {positions}");
        }
        // With AVX-512's 32 registers (used for 256-bit vectors too), six taps at a time; with 16, three.
        bool six = Avx512F.VL.IsSupported;
        int step = six ? 6 : 3;
        for (int group = 0; group < groups; group++)
        {
            float* rows = g + (long)group * ChannelsPerTile * ldg;
            float* sums = dw + (long)group * ChannelsPerTile * depth;
            for (int p = 0; p < depth; p += step)
            {
                // Past the last tap, the last is computed again.
                var taps = new Taps(offsets, p, depth, sums);
                if (six)
                {
                    WeightTileSix(rows, ldg, x, taps, positions);
                }
                else if (Vector256.IsHardwareAccelerated)
                {
                    WeightTile256(rows, ldg, x, taps, positions);
                }
                else
                {
                    WeightTile128(rows, ldg, x, taps, positions);
                }
            }
        }
    }

    /// <summary>
    /// Up to six taps of the weight gradient from tap <c>p</c> on (the last tap repeated past the end): where each reads
    /// the image, and where its four sums go, rows <c>depth</c> apart in <c>dw</c>.
    /// </summary>
    private readonly struct Taps
    {
        public readonly int Offset0, Offset1, Offset2, Offset3, Offset4, Offset5;
        private readonly float* _dw;
        private readonly int _first, _last;

        public Taps(int* offsets, int p, int depth, float* dw)
        {
            _dw = dw;
            _first = p;
            _last = depth - 1;
            Offset0 = offsets[p];
            Offset1 = offsets[Math.Min(p + 1, _last)];
            Offset2 = offsets[Math.Min(p + 2, _last)];
            Offset3 = offsets[Math.Min(p + 3, _last)];
            Offset4 = offsets[Math.Min(p + 4, _last)];
            Offset5 = offsets[Math.Min(p + 5, _last)];
        }

        /// <summary>Stores output channel <paramref name="row"/>'s sums of three taps, from tap p + <paramref name="tap"/> on.</summary>
        public void Store(int row, int tap, float sum0, float sum1, float sum2)
        {
            float* at = _dw + (long)row * (_last + 1);
            at[Math.Min(_first + tap, _last)] = sum0;
            at[Math.Min(_first + tap + 1, _last)] = sum1;
            at[Math.Min(_first + tap + 2, _last)] = sum2;
        }

        /// <summary>Folds each eight running sums and stores them: taps p, p + 1, p + 2.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(int row, Vector256<float> sums0, Vector256<float> sums1, Vector256<float> sums2) =>
            Store(row, 0, FixedOrder.Fold(sums0), FixedOrder.Fold(sums1), FixedOrder.Fold(sums2));

        /// <summary>The same for taps p to p + 5.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Store(int row, Vector256<float> sums0, Vector256<float> sums1, Vector256<float> sums2,
            Vector256<float> sums3, Vector256<float> sums4, Vector256<float> sums5)
        {
            Store(row, sums0, sums1, sums2);
            Store(row, 3, FixedOrder.Fold(sums3), FixedOrder.Fold(sums4), FixedOrder.Fold(sums5));
        }
    }

    /// <summary>
    /// Four output channels by three taps, twelve accumulators: per eight positions, three loads of the image and four of
    /// the gradient feed twelve multiply-adds (measured on AVX2, one thread: 10–40 % faster than two taps, eight accumulators).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightTile256(float* g, int ldg, float* x, Taps taps, int positions)
    {
        float* x0 = x + taps.Offset0, x1 = x + taps.Offset1, x2 = x + taps.Offset2;
        Vector256<float> s00 = default, s10 = default, s20 = default, s30 = default;
        Vector256<float> s01 = default, s11 = default, s21 = default, s31 = default;
        Vector256<float> s02 = default, s12 = default, s22 = default, s32 = default;
        for (int q = 0; q < positions; q += 8)
        {
            var xa = Vector256.Load(x0 + q);
            var xb = Vector256.Load(x1 + q);
            var xc = Vector256.Load(x2 + q);
            var g0 = Vector256.Load(g + q);
            s00 = MultiplyAdd(g0, xa, s00);
            s01 = MultiplyAdd(g0, xb, s01);
            s02 = MultiplyAdd(g0, xc, s02);
            var g1 = Vector256.Load(g + ldg + q);
            s10 = MultiplyAdd(g1, xa, s10);
            s11 = MultiplyAdd(g1, xb, s11);
            s12 = MultiplyAdd(g1, xc, s12);
            var g2 = Vector256.Load(g + 2 * ldg + q);
            s20 = MultiplyAdd(g2, xa, s20);
            s21 = MultiplyAdd(g2, xb, s21);
            s22 = MultiplyAdd(g2, xc, s22);
            var g3 = Vector256.Load(g + 3 * ldg + q);
            s30 = MultiplyAdd(g3, xa, s30);
            s31 = MultiplyAdd(g3, xb, s31);
            s32 = MultiplyAdd(g3, xc, s32);
        }
        taps.Store(0, s00, s01, s02);
        taps.Store(1, s10, s11, s12);
        taps.Store(2, s20, s21, s22);
        taps.Store(3, s30, s31, s32);
    }

    /// <summary>
    /// <see cref="WeightTile256"/> with six taps, 24 accumulators, where AVX-512 gives 32 vector registers: four loads of
    /// the gradient now feed 24 multiply-adds. The same sums, so the same bits. Measured on the two-core Xeon (one image, one
    /// thread, best of 7 × 300, two runs): best-cnn's 16→16 layer 58–78 µs with three taps, 50–61 µs with six; its 32→32
    /// layer 92–104 → 64–78 µs. Held to AVX2's 16 registers six taps spill (57 → 78 µs, 114 → 130 µs), so AVX2 keeps three.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightTileSix(float* g, int ldg, float* x, Taps taps, int positions)
    {
        Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default, s04 = default, s05 = default;
        Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default, s14 = default, s15 = default;
        Vector256<float> s20 = default, s21 = default, s22 = default, s23 = default, s24 = default, s25 = default;
        Vector256<float> s30 = default, s31 = default, s32 = default, s33 = default, s34 = default, s35 = default;
        for (int q = 0; q < positions; q += 8)
        {
            var x0 = Vector256.Load(x + taps.Offset0 + q);
            var x1 = Vector256.Load(x + taps.Offset1 + q);
            var x2 = Vector256.Load(x + taps.Offset2 + q);
            var x3 = Vector256.Load(x + taps.Offset3 + q);
            var x4 = Vector256.Load(x + taps.Offset4 + q);
            var x5 = Vector256.Load(x + taps.Offset5 + q);
            var g0 = Vector256.Load(g + q);
            s00 = MultiplyAdd(g0, x0, s00);
            s01 = MultiplyAdd(g0, x1, s01);
            s02 = MultiplyAdd(g0, x2, s02);
            s03 = MultiplyAdd(g0, x3, s03);
            s04 = MultiplyAdd(g0, x4, s04);
            s05 = MultiplyAdd(g0, x5, s05);
            var g1 = Vector256.Load(g + ldg + q);
            s10 = MultiplyAdd(g1, x0, s10);
            s11 = MultiplyAdd(g1, x1, s11);
            s12 = MultiplyAdd(g1, x2, s12);
            s13 = MultiplyAdd(g1, x3, s13);
            s14 = MultiplyAdd(g1, x4, s14);
            s15 = MultiplyAdd(g1, x5, s15);
            var g2 = Vector256.Load(g + 2 * ldg + q);
            s20 = MultiplyAdd(g2, x0, s20);
            s21 = MultiplyAdd(g2, x1, s21);
            s22 = MultiplyAdd(g2, x2, s22);
            s23 = MultiplyAdd(g2, x3, s23);
            s24 = MultiplyAdd(g2, x4, s24);
            s25 = MultiplyAdd(g2, x5, s25);
            var g3 = Vector256.Load(g + 3 * ldg + q);
            s30 = MultiplyAdd(g3, x0, s30);
            s31 = MultiplyAdd(g3, x1, s31);
            s32 = MultiplyAdd(g3, x2, s32);
            s33 = MultiplyAdd(g3, x3, s33);
            s34 = MultiplyAdd(g3, x4, s34);
            s35 = MultiplyAdd(g3, x5, s35);
        }
        taps.Store(0, s00, s01, s02, s03, s04, s05);
        taps.Store(1, s10, s11, s12, s13, s14, s15);
        taps.Store(2, s20, s21, s22, s23, s24, s25);
        taps.Store(3, s30, s31, s32, s33, s34, s35);
    }

    /// <summary><see cref="WeightTile256"/> with each eight running sums held as two 128-bit vectors: the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightTile128(float* g, int ldg, float* x, Taps taps, int positions)
    {
        float* x0 = x + taps.Offset0, x1 = x + taps.Offset1, x2 = x + taps.Offset2;
        for (int r = 0; r < ChannelsPerTile; r++)
        {
            float* row = g + (long)r * ldg;
            Vector128<float> low0 = default, high0 = default, low1 = default, high1 = default, low2 = default, high2 = default;
            for (int q = 0; q < positions; q += 8)
            {
                var gLow = Vector128.Load(row + q);
                var gHigh = Vector128.Load(row + q + 4);
                low0 = MultiplyAdd(gLow, Vector128.Load(x0 + q), low0);
                high0 = MultiplyAdd(gHigh, Vector128.Load(x0 + q + 4), high0);
                low1 = MultiplyAdd(gLow, Vector128.Load(x1 + q), low1);
                high1 = MultiplyAdd(gHigh, Vector128.Load(x1 + q + 4), high1);
                low2 = MultiplyAdd(gLow, Vector128.Load(x2 + q), low2);
                high2 = MultiplyAdd(gHigh, Vector128.Load(x2 + q + 4), high2);
            }
            taps.Store(r, 0, FixedOrder.Fold(low0 + high0), FixedOrder.Fold(low1 + high1), FixedOrder.Fold(low2 + high2));
        }
    }
}
