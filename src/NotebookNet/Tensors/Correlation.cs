using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
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
    /// y[o, q] = Σ_p w[p, o]·x[offset[p] + q] for o in [0, groups·4) and q in [0, positions), each sum in tap order
    /// (fused multiply-adds where the processor has them), so every vector width gives the same bits.
    /// </summary>
    /// <param name="x">The padded input; readable up to the largest offset + positions + <see cref="Overrun"/>.</param>
    /// <param name="offsets">Each tap's offset into <paramref name="x"/>.</param>
    /// <param name="depth">The number of taps, C·k·k.</param>
    /// <param name="weights">Packed by <see cref="PackWeights"/>: for each group of four output channels, depth × 4 floats.</param>
    /// <param name="groups">Groups of four output channels.</param>
    /// <param name="y">The output: groups·4 rows of <paramref name="ldy"/> floats.</param>
    /// <param name="ldy">Floats from one row of <paramref name="y"/> to the next.</param>
    /// <param name="positions">Positions q to compute in each row.</param>
    public static void Correlate(float* x, int* offsets, int depth, float* weights, int groups, float* y, int ldy, int positions)
    {
        bool wide = UseVector512;
        int width = TilePositions;
        float* tile = stackalloc float[ChannelsPerTile * Overrun];
        for (int g = 0; g < groups; g++)
        {
            float* w = weights + (long)g * depth * ChannelsPerTile;
            float* rows = y + (long)g * ChannelsPerTile * ldy;
            int q = 0;
            for (; q + width <= positions; q += width)
            {
                ComputeTile(wide, x + q, offsets, depth, w, rows + q, ldy);
            }
            if (q < positions)
            {
                ComputeTile(wide, x + q, offsets, depth, w, tile, width);
                for (int r = 0; r < ChannelsPerTile; r++)
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
    private static void ComputeTile(bool wide, float* x, int* offsets, int depth, float* w, float* y, int ldy)
    {
        if (wide)
        {
            Tile512(x, offsets, depth, w, y, ldy);
        }
        else
        {
            Tile(x, offsets, depth, w, y, ldy);
        }
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
            a0 = Vector512.FusedMultiplyAdd(w0, xa, a0);
            b0 = Vector512.FusedMultiplyAdd(w0, xb, b0);
            c0 = Vector512.FusedMultiplyAdd(w0, xc, c0);
            var w1 = Vector512.Create(w[1]);
            a1 = Vector512.FusedMultiplyAdd(w1, xa, a1);
            b1 = Vector512.FusedMultiplyAdd(w1, xb, b1);
            c1 = Vector512.FusedMultiplyAdd(w1, xc, c1);
            var w2 = Vector512.Create(w[2]);
            a2 = Vector512.FusedMultiplyAdd(w2, xa, a2);
            b2 = Vector512.FusedMultiplyAdd(w2, xb, b2);
            c2 = Vector512.FusedMultiplyAdd(w2, xc, c2);
            var w3 = Vector512.Create(w[3]);
            a3 = Vector512.FusedMultiplyAdd(w3, xa, a3);
            b3 = Vector512.FusedMultiplyAdd(w3, xb, b3);
            c3 = Vector512.FusedMultiplyAdd(w3, xc, c3);
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
        for (int group = 0; group < groups; group++)
        {
            float* rows = g + (long)group * ChannelsPerTile * ldg;
            float* sums = dw + (long)group * ChannelsPerTile * depth;
            for (int p = 0; p < depth; p += 3)
            {
                // Three taps at a time share the loads of the gradient; past the last tap, the last is computed again.
                int second = Math.Min(p + 1, depth - 1), third = Math.Min(p + 2, depth - 1);
                var taps = new Taps(x + offsets[p], x + offsets[second], x + offsets[third], sums + p, sums + second, sums + third, depth);
                if (Vector256.IsHardwareAccelerated)
                {
                    WeightTile256(rows, ldg, taps, positions);
                }
                else
                {
                    WeightTile128(rows, ldg, taps, positions);
                }
            }
        }
    }

    /// <summary>Three taps of the weight gradient: where each reads the image, and where its four sums go (rows <c>Stride</c> apart).</summary>
    private readonly struct Taps(float* x0, float* x1, float* x2, float* dw0, float* dw1, float* dw2, int stride)
    {
        public readonly float* X0 = x0, X1 = x1, X2 = x2, Dw0 = dw0, Dw1 = dw1, Dw2 = dw2;
        public readonly int Stride = stride;
    }

    /// <summary>
    /// Four output channels by three taps, twelve accumulators: per eight positions, three loads of the image and four of
    /// the gradient feed twelve multiply-adds (measured on AVX2, one thread: 10–40 % faster than two taps, eight accumulators).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightTile256(float* g, int ldg, Taps taps, int positions)
    {
        float* x0 = taps.X0, x1 = taps.X1, x2 = taps.X2;
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
        Store(taps, 0, s00, s01, s02);
        Store(taps, 1, s10, s11, s12);
        Store(taps, 2, s20, s21, s22);
        Store(taps, 3, s30, s31, s32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Taps taps, int row, Vector256<float> sums0, Vector256<float> sums1, Vector256<float> sums2)
    {
        int at = row * taps.Stride;
        taps.Dw0[at] = FixedOrder.Fold(sums0);
        taps.Dw1[at] = FixedOrder.Fold(sums1);
        taps.Dw2[at] = FixedOrder.Fold(sums2);
    }

    /// <summary><see cref="WeightTile256"/> with each eight running sums held as two 128-bit vectors: the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightTile128(float* g, int ldg, Taps taps, int positions)
    {
        float* x0 = taps.X0, x1 = taps.X1, x2 = taps.X2;
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
            int at = r * taps.Stride;
            taps.Dw0[at] = FixedOrder.Fold(low0 + high0);
            taps.Dw1[at] = FixedOrder.Fold(low1 + high1);
            taps.Dw2[at] = FixedOrder.Fold(low2 + high2);
        }
    }
}
