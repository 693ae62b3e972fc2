using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>
/// Inverted dropout: while training, each value is zeroed with probability p and the survivors are scaled by
/// 1/(1 − p), so the expected output equals the input; in evaluation it passes the input through unchanged.
/// The mask comes from a seeded generator, so a seed gives the same training run. Introduced in notebook 06.
/// </summary>
public sealed class Dropout : ILayer
{
    private readonly Rng _rng;
    private float[] _mask = [];
    private bool _masked;

    /// <summary>Creates the layer; <paramref name="probability"/> is the fraction dropped, in [0, 1).</summary>
    /// <param name="probability">The fraction of values dropped while training.</param>
    /// <param name="rng">The random source of the masks; a fixed seed gives the same masks every run.</param>
    public Dropout(float probability, Rng rng)
    {
        if (!(probability >= 0f && probability < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "dropout probability must be in [0, 1)");
        }
        Probability = probability;
        ArgumentNullException.ThrowIfNull(rng);
        _rng = rng;
    }

    /// <summary>p, the fraction of values dropped while training.</summary>
    public float Probability { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc/>
    public IReadOnlyList<Rng> RandomGenerators => [_rng];

    /// <inheritdoc/>
    public bool IsTraining { get; set; } = true;

    /// <inheritdoc/>
    public LayerSpec Spec => new(nameof(Dropout), ("probability", Probability));

    /// <summary>Rebuilds the layer described by <paramref name="spec"/> (its masks then come from seed 0).</summary>
    public static Dropout FromSpec(LayerSpec spec) => new(spec.Float("probability"), new Rng(0));

    /// <inheritdoc/>
    public int[] OutputShape(IReadOnlyList<int> inputShape) => inputShape.ToArray();

    /// <summary>The scale of each value in the last training forward: 0 or 1/(1 − p).</summary>
    public ReadOnlySpan<float> Mask => _mask;

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        _masked = IsTraining && Probability > 0f;
        if (!_masked)
        {
            return input;
        }
        if (_mask.Length != input.Length)
        {
            _mask = new float[input.Length];
        }
        float keep = 1f / (1f - Probability);
        for (int i = 0; i < _mask.Length; i++)
        {
            _mask[i] = _rng.NextFloat() >= Probability ? keep : 0f;
        }
        var output = new Tensor(input.Shape.ToArray());
        TensorPrimitives.Multiply(input.Span, _mask, output.Span);
        return output;
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        if (!_masked)
        {
            return outputGradient;
        }
        var inputGradient = new Tensor(outputGradient.Shape.ToArray());
        TensorPrimitives.Multiply(outputGradient.Span, _mask, inputGradient.Span);
        return inputGradient;
    }
}
