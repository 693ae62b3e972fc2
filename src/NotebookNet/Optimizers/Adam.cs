using NotebookNet.Tensors;

namespace NotebookNet.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba 2015): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − η·m̂/(√v̂ + ε) with the
/// bias corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ); weight decay adds λ·θ to g. Introduced in notebook 07.
/// </summary>
public sealed class Adam : IOptimizer
{
    private readonly float[][] _firstMoments;
    private readonly float[][] _secondMoments;
    private int _step;

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative or a β is not in [0, 1).</exception>
    public Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f)
    {
        if (!(learningRate >= 0f) || !(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f) || !(epsilon > 0f) || !(weightDecay >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate),
                $"Adam needs learningRate ≥ 0, β₁ and β₂ in [0, 1), ε > 0, weightDecay ≥ 0; got {learningRate}, {beta1}, {beta2}, {epsilon}, {weightDecay}");
        }
        Parameters = parameters.ToList();
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _firstMoments = Parameters.Select(p => new float[p.Value.Length]).ToArray();
        _secondMoments = Parameters.Select(p => new float[p.Value.Length]).ToArray();
    }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc/>
    public float LearningRate { get; set; }

    /// <summary>β₁, the decay of the mean of the gradients.</summary>
    public float Beta1 { get; }

    /// <summary>β₂, the decay of the mean of the squared gradients.</summary>
    public float Beta2 { get; }

    /// <summary>ε, which keeps the division finite.</summary>
    public float Epsilon { get; }

    /// <summary>λ, the L2 penalty's coefficient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    public void ZeroGradients()
    {
        foreach (Parameter parameter in Parameters)
        {
            parameter.ZeroGradient();
        }
    }

    /// <inheritdoc/>
    public void Step()
    {
        _step++;
        float correction1 = 1f - MathF.Pow(Beta1, _step);
        float correction2 = 1f - MathF.Pow(Beta2, _step);
        float stepSize = LearningRate / correction1;
        float inverseSqrtCorrection2 = 1f / MathF.Sqrt(correction2);
        for (int i = 0; i < Parameters.Count; i++)
        {
            Span<float> theta = Parameters[i].Value.Span;
            ReadOnlySpan<float> gradient = Parameters[i].Gradient.Span;
            Span<float> m = _firstMoments[i], v = _secondMoments[i];
            for (int j = 0; j < theta.Length; j++)
            {
                float g = gradient[j] + WeightDecay * theta[j];
                m[j] = Beta1 * m[j] + (1f - Beta1) * g;
                v[j] = Beta2 * v[j] + (1f - Beta2) * g * g;
                theta[j] -= stepSize * m[j] / (MathF.Sqrt(v[j]) * inverseSqrtCorrection2 + Epsilon);
            }
        }
    }
}
