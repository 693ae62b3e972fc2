using System.Numerics;
using NotebookNet.Tensors;

namespace NotebookNet.Optimizers;

/// <summary>
/// Adam (Kingma &amp; Ba 2015): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − η·m̂/(√v̂ + ε) with the
/// bias corrections m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ); weight decay adds λ·θ to g. Introduced in notebook 06.
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[][] _firstMoments;
    private readonly float[][] _secondMoments;
    private float _correction1, _inverseSqrtCorrection2;

    /// <summary>Creates the optimizer with PyTorch's defaults.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative, a β is not in [0, 1) or ε is not positive.</exception>
    public Adam(IEnumerable<Parameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f)
        : base(parameters, learningRate)
    {
        if (!(beta1 >= 0f && beta1 < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β₁ must be in [0, 1)");
        }
        if (!(beta2 >= 0f && beta2 < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β₂ must be in [0, 1)");
        }
        if (!(epsilon > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive");
        }
        if (!(weightDecay >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be ≥ 0");
        }
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        WeightDecay = weightDecay;
        _firstMoments = StatePerParameter("m");
        _secondMoments = StatePerParameter("v");
    }

    /// <summary>β₁, the decay of the mean of the gradients.</summary>
    public float Beta1 { get; }

    /// <summary>β₂, the decay of the mean of the squared gradients.</summary>
    public float Beta2 { get; }

    /// <summary>ε, which keeps the division finite.</summary>
    public float Epsilon { get; }

    /// <summary>λ, the L2 penalty's coefficient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    protected override void BeginStep()
    {
        _correction1 = 1f - MathF.Pow(Beta1, Steps);
        _inverseSqrtCorrection2 = 1f / MathF.Sqrt(1f - MathF.Pow(Beta2, Steps));
    }

    /// <inheritdoc/>
    protected override void Update(int index, int offset, Span<float> theta, Span<float> gradient, float learningRate)
    {
        float stepSize = learningRate / _correction1;
        Span<float> m = _firstMoments[index].AsSpan(offset, theta.Length), v = _secondMoments[index].AsSpan(offset, theta.Length);
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // The same operations in the same order on whole vectors: each lane gets exactly the scalar loop's bits.
            int width = Vector<float>.Count;
            Vector<float> decay = new(WeightDecay), beta1 = new(Beta1), keep1 = new(1f - Beta1), beta2 = new(Beta2), keep2 = new(1f - Beta2);
            Vector<float> step = new(stepSize), correction2 = new(_inverseSqrtCorrection2), epsilon = new(Epsilon);
            for (; j <= theta.Length - width; j += width)
            {
                Vector<float> t = new(theta[j..]);
                Vector<float> g = new Vector<float>(gradient[j..]) + decay * t;
                Vector<float> mj = beta1 * new Vector<float>(m[j..]) + keep1 * g;
                Vector<float> vj = beta2 * new Vector<float>(v[j..]) + keep2 * g * g;
                mj.CopyTo(m[j..]);
                vj.CopyTo(v[j..]);
                (t - step * mj / (Vector.SquareRoot(vj) * correction2 + epsilon)).CopyTo(theta[j..]);
            }
        }
        for (; j < theta.Length; j++)
        {
            float g = gradient[j] + WeightDecay * theta[j];
            m[j] = Beta1 * m[j] + (1f - Beta1) * g;
            v[j] = Beta2 * v[j] + (1f - Beta2) * g * g;
            theta[j] -= stepSize * m[j] / (MathF.Sqrt(v[j]) * _inverseSqrtCorrection2 + Epsilon);
        }
    }
}
