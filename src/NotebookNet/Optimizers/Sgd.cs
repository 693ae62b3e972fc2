using NotebookNet.Tensors;

namespace NotebookNet.Optimizers;

/// <summary>
/// Minibatch SGD: θ ← θ − η·∇θL. With momentum μ: v ← μ·v + g, θ ← θ − η·v (PyTorch's form);
/// with weight decay λ the gradient is g = ∇θL + λ·θ (L2 regularisation). Introduced in notebook 04.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[][]? _velocities;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative or momentum is not in [0, 1).</exception>
    public Sgd(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0f, float weightDecay = 0f)
        : base(parameters, learningRate)
    {
        if (!(momentum >= 0f && momentum < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1)");
        }
        if (!(weightDecay >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be ≥ 0");
        }
        Momentum = momentum;
        WeightDecay = weightDecay;
        _velocities = momentum > 0f ? StatePerParameter("velocity") : null;
    }

    /// <summary>μ, the fraction of the last step kept.</summary>
    public float Momentum { get; }

    /// <summary>λ, the L2 penalty's coefficient.</summary>
    public float WeightDecay { get; }

    /// <inheritdoc/>
    protected override void Update(int index, int offset, Span<float> theta, Span<float> gradient, float learningRate)
    {
        if (WeightDecay > 0f)
        {
            TensorPrimitives.MultiplyAdd(theta, WeightDecay, gradient, gradient); // g += λ·θ
        }
        if (_velocities is null)
        {
            TensorPrimitives.MultiplyAdd(gradient, -learningRate, theta, theta); // θ −= η·g
            return;
        }
        Span<float> velocity = _velocities[index].AsSpan(offset, theta.Length);
        TensorPrimitives.MultiplyAdd(velocity, Momentum, gradient, velocity); // v = μ·v + g
        TensorPrimitives.MultiplyAdd(velocity, -learningRate, theta, theta); // θ −= η·v
    }
}
