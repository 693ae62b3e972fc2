using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace NotebookNet.Tensors;

/// <summary>
/// Sums and dot products added in one fixed order, so they give the same bits on every processor.
/// </summary>
/// <remarks>
/// Floating-point addition is not associative: (a + b) + c and a + (b + c) can differ in the last bit. A vectorised sum
/// such as <c>TensorPrimitives.Sum</c> adds in an order set by the widest vector the machine has — 16 floats at a time
/// with AVX-512, 8 with AVX2, 4 with Arm64's NEON — so the same data gives slightly different sums on different
/// processors, and a training run that starts from the same seed drifts apart from there. Here the order is part of
/// the definition: eight running sums take every eighth value (sum ℓ adds x[ℓ], x[ℓ + 8], x[ℓ + 16], … in turn), they
/// are combined as ((s₀ + s₄) + (s₂ + s₆)) + ((s₁ + s₅) + (s₃ + s₇)), and the last <c>length mod 8</c> values are then
/// added one by one. One 256-bit vector, two 128-bit vectors or eight scalars compute exactly that, whichever the
/// processor runs natively. Products are rounded before they are added (no fused multiply-add), so processors
/// without FMA agree too. The layers, losses and augmentations use these wherever they reduce; the tests train the
/// same network on every instruction set the machine can be held to and compare the weights bit for bit.
/// </remarks>
public static class FixedOrder
{
    private const int Lanes = 8;

    /// <summary>Σᵢ x[i] in the fixed order.</summary>
    public static float Sum(ReadOnlySpan<float> x) => Reduce(x, x, Kind.Sum);

    /// <summary>Σᵢ x[i]·y[i] in the fixed order, each product rounded before it is added.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireEqualLengths(x, y);
        return Reduce(x, y, Kind.Dot);
    }

    /// <summary>Σᵢ x[i]² in the fixed order.</summary>
    public static float SumOfSquares(ReadOnlySpan<float> x) => Reduce(x, x, Kind.Dot);

    /// <summary>
    /// <see cref="Sum"/> of <paramref name="x"/> and <see cref="Dot"/> of <paramref name="x"/> and <paramref name="y"/>
    /// in one pass, each the same bits as its own call (batch normalisation's Σx and Σx², and Σg and Σg·x̂): two chains
    /// of additions side by side instead of one after the other.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static (float Sum, float Dot) SumAndDot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        RequireEqualLengths(x, y);
        int whole = x.Length - x.Length % Lanes;
        float sum, dot;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> sums = Vector256<float>.Zero, dots = Vector256<float>.Zero;
            for (int i = 0; i < whole; i += Lanes)
            {
                var values = Vector256.Create(x.Slice(i, Lanes));
                sums += values;
                dots += values * Vector256.Create(y.Slice(i, Lanes));
            }
            (sum, dot) = (Fold(sums), Fold(dots));
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> sumsLow = Vector128<float>.Zero, sumsHigh = Vector128<float>.Zero;
            Vector128<float> dotsLow = Vector128<float>.Zero, dotsHigh = Vector128<float>.Zero;
            for (int i = 0; i < whole; i += Lanes)
            {
                (var low, var high) = (Vector128.Create(x.Slice(i, 4)), Vector128.Create(x.Slice(i + 4, 4)));
                sumsLow += low;
                sumsHigh += high;
                dotsLow += low * Vector128.Create(y.Slice(i, 4));
                dotsHigh += high * Vector128.Create(y.Slice(i + 4, 4));
            }
            (sum, dot) = (Fold(sumsLow + sumsHigh), Fold(dotsLow + dotsHigh));
        }
        else
        {
            (sum, dot) = (Reduce(x[..whole], y[..whole], Kind.Sum), Reduce(x[..whole], y[..whole], Kind.Dot));
        }
        for (int i = whole; i < x.Length; i++)
        {
            sum += x[i];
            dot += x[i] * y[i];
        }
        return (sum, dot);
    }

    private static void RequireEqualLengths(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"a dot product needs equal lengths, got {x.Length} and {y.Length}");
        }
    }

    private enum Kind { Sum, Dot }

    private static float Reduce(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Kind kind)
    {
        int whole = x.Length - x.Length % Lanes;
        float total;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> sums = Vector256<float>.Zero;
            for (int i = 0; i < whole; i += Lanes)
            {
                sums += Term(Vector256.Create(x.Slice(i, Lanes)), Vector256.Create(y.Slice(i, Lanes)), kind);
            }
            total = Fold(sums);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            // Lanes 0–3 in one vector, 4–7 in the other: the same eight sums as one 256-bit vector.
            Vector128<float> low = Vector128<float>.Zero, high = Vector128<float>.Zero;
            for (int i = 0; i < whole; i += Lanes)
            {
                low += Term(Vector128.Create(x.Slice(i, 4)), Vector128.Create(y.Slice(i, 4)), kind);
                high += Term(Vector128.Create(x.Slice(i + 4, 4)), Vector128.Create(y.Slice(i + 4, 4)), kind);
            }
            total = Fold(low + high);
        }
        else
        {
            Span<float> sums = stackalloc float[Lanes];
            sums.Clear();
            for (int i = 0; i < whole; i += Lanes)
            {
                for (int lane = 0; lane < Lanes; lane++)
                {
                    sums[lane] += kind == Kind.Sum ? x[i + lane] : x[i + lane] * y[i + lane];
                }
            }
            total = ((sums[0] + sums[4]) + (sums[2] + sums[6])) + ((sums[1] + sums[5]) + (sums[3] + sums[7]));
        }
        for (int i = whole; i < x.Length; i++)
        {
            total += kind == Kind.Sum ? x[i] : x[i] * y[i];
        }
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Term(Vector256<float> x, Vector256<float> y, Kind kind) => kind == Kind.Sum ? x : x * y;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> Term(Vector128<float> x, Vector128<float> y, Kind kind) => kind == Kind.Sum ? x : x * y;

    /// <summary>(v₀ + v₂) + (v₁ + v₃): the last two steps of folding running sums in halves, shared with the matrix multiply's dot products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Fold(Vector128<float> v) => (v.GetElement(0) + v.GetElement(2)) + (v.GetElement(1) + v.GetElement(3));

    /// <summary>Eight running sums folded in halves: lanes ℓ and ℓ + 4 first, then as <see cref="Fold(Vector128{float})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Fold(Vector256<float> v) => Fold(v.GetLower() + v.GetUpper());
}
