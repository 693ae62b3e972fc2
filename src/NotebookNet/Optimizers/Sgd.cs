using NotebookNet.Tensors;

namespace NotebookNet.Optimizers;

/// <summary>
/// Minibatch SGD: θ ← θ − η·∇θL. With momentum μ: v ← μ·v + g, θ ← θ − η·v (PyTorch's form);
/// with weight decay λ the gradient is g = ∇θL + λ·θ (L2 regularisation). Introduced in notebook 04.
/// </summary>
public sealed class Sgd : IOptimizer
{
    private readonly float[][]? _velocities;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative or momentum is not in [0, 1).</exception>
    public Sgd(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0f, float weightDecay = 0f)
    {
        if (!(learningRate >= 0f) || !(weightDecay >= 0f) || !(momentum >= 0f && momentum < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate),
                $"Sgd needs learningRate ≥ 0, momentum in [0, 1) and weightDecay ≥ 0; got {learningRate}, {momentum}, {weightDecay}");
        }
        Parameters = parameters.ToList();
        LearningRate = learningRate;
        Momentum = momentum;
        WeightDecay = weightDecay;
        _velocities = momentum > 0f ? Parameters.Select(p => new float[p.Value.Length]).ToArray() : null;
    }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc/>
    public float LearningRate { get; set; }

    /// <summary>μ, the fraction of the last step kept.</summary>
    public float Momentum { get; }

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
        for (int i = 0; i < Parameters.Count; i++)
        {
            Span<float> theta = Parameters[i].Value.Span;
            Span<float> gradient = Parameters[i].Gradient.Span;
            if (WeightDecay > 0f)
            {
                TensorPrimitives.MultiplyAdd(theta, WeightDecay, gradient, gradient); // g += λ·θ
            }
            if (_velocities is null)
            {
                TensorPrimitives.MultiplyAdd(gradient, -LearningRate, theta, theta); // θ −= η·g
            }
            else
            {
                Span<float> velocity = _velocities[i];
                TensorPrimitives.MultiplyAdd(velocity, Momentum, gradient, velocity); // v = μ·v + g
                TensorPrimitives.MultiplyAdd(velocity, -LearningRate, theta, theta); // θ −= η·v
            }
        }
    }
}
