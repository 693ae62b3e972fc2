using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>How a layer's weights are first drawn. Introduced in notebook 02, compared in notebook 06.</summary>
public enum Init
{
    /// <summary>He (Kaiming) normal: N(0, 2/fan_in), for ReLU networks.</summary>
    He,

    /// <summary>Glorot (Xavier) uniform: U(±√(6/(fan_in + fan_out))), for sigmoid and tanh networks.</summary>
    Glorot,

    /// <summary>
    /// LeCun normal: N(0, 1/fan_in), the normal(0, 1/√fan_in) of Rashid's <i>Make Your Own Neural Network</i>.
    /// </summary>
    LeCun,

    /// <summary>Uniform U(±1/√fan_in): PyTorch's default for its Linear and Conv2d layers.</summary>
    Uniform,

    /// <summary>All zeros: every unit of a layer stays the same, shown in notebook 06 as what not to do.</summary>
    Zeros,
}

/// <summary>Draws weights by an <see cref="Init"/> rule.</summary>
public static class Initializer
{
    /// <summary>Fills <paramref name="weight"/> by <paramref name="init"/> for a layer with these fan-in and fan-out.</summary>
    public static void Fill(Tensor weight, Init init, int fanIn, int fanOut, Rng rng)
    {
        Span<float> values = weight.Span;
        switch (init)
        {
            case Init.He:
                FillNormal(values, MathF.Sqrt(2f / fanIn), rng);
                break;
            case Init.LeCun:
                FillNormal(values, MathF.Sqrt(1f / fanIn), rng);
                break;
            case Init.Glorot:
                float limit = MathF.Sqrt(6f / (fanIn + fanOut));
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = rng.NextFloat(-limit, limit);
                }
                break;
            case Init.Uniform:
                float bound = 1f / MathF.Sqrt(fanIn);
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = rng.NextFloat(-bound, bound);
                }
                break;
            case Init.Zeros:
                values.Clear();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(init), init, "unknown initialisation");
        }
    }

    private static void FillNormal(Span<float> values, float standardDeviation, Rng rng)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = standardDeviation * rng.NextNormal();
        }
    }
}
