using System.Numerics;

namespace NotebookNet.Tensors;

/// <summary>
/// A small seeded random number generator (xoshiro128**, seeded through SplitMix64).
/// The same seed gives the same numbers on every machine and every .NET version,
/// which <see cref="System.Random"/> does not promise. Introduced in notebook 02.
/// </summary>
public sealed class Rng
{
    private uint _s0, _s1, _s2, _s3;
    private float? _spareNormal;

    /// <summary>Creates a generator whose whole sequence is fixed by <paramref name="seed"/>.</summary>
    public Rng(int seed)
    {
        ulong x = (ulong)(uint)seed;
        _s0 = (uint)SplitMix(ref x);
        _s1 = (uint)SplitMix(ref x);
        _s2 = (uint)SplitMix(ref x);
        _s3 = (uint)SplitMix(ref x);
    }

    /// <summary>
    /// Everything that fixes the numbers still to come: a generator given this state draws, from then on, what this one
    /// draws. Training checkpoints save it, so a resumed run shuffles, distorts and drops out as an uninterrupted one would.
    /// </summary>
    public RngState State
    {
        get => new(_s0, _s1, _s2, _s3, _spareNormal);
        set
        {
            if ((value.S0 | value.S1 | value.S2 | value.S3) == 0)
            {
                throw new ArgumentException("an all-zero state is not one xoshiro128** can reach: it would draw only zeros", nameof(value));
            }
            (_s0, _s1, _s2, _s3, _spareNormal) = (value.S0, value.S1, value.S2, value.S3, value.SpareNormal);
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 32 random bits.</summary>
    public uint NextUInt32()
    {
        uint result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        uint t = _s1 << 9;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 11);
        return result;
    }

    /// <summary>A uniform float in [0, 1).</summary>
    public float NextFloat() => (NextUInt32() >> 8) * (1.0f / (1 << 24));

    /// <summary>A uniform float in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public float NextFloat(float low, float high) => low + (high - low) * NextFloat();

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        }
        // Lemire's multiply-shift with rejection.
        ulong m = (ulong)NextUInt32() * (uint)maxExclusive;
        uint low = (uint)m;
        if (low < (uint)maxExclusive)
        {
            uint threshold = (uint)(-maxExclusive) % (uint)maxExclusive;
            while (low < threshold)
            {
                m = (ulong)NextUInt32() * (uint)maxExclusive;
                low = (uint)m;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>A standard normal sample N(0, 1) by the Box–Muller transform.</summary>
    public float NextNormal()
    {
        if (_spareNormal is float spare)
        {
            _spareNormal = null;
            return spare;
        }
        double u1 = 1.0 - NextDouble(); // (0, 1]: log is finite
        double u2 = NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        double angle = 2.0 * Math.PI * u2;
        _spareNormal = (float)(radius * Math.Sin(angle));
        return (float)(radius * Math.Cos(angle));
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble()
    {
        ulong bits = ((ulong)NextUInt32() << 21) ^ (NextUInt32() >> 11);
        return (bits & ((1UL << 53) - 1)) * (1.0 / (1UL << 53));
    }

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

/// <summary>The state of an <see cref="Rng"/>: its four words, and the second normal sample of a Box–Muller pair if one is waiting.</summary>
public readonly record struct RngState(uint S0, uint S1, uint S2, uint S3, float? SpareNormal);
