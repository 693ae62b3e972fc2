using NotebookNet.Tensors;

namespace NotebookNet.Losses;

/// <summary>
/// Cross-entropy of softmax(logits) against class labels, averaged over the batch:
/// L = −1/N·Σₙ log pₙ,yₙ with p = softmax(z). It takes logits, not probabilities, and its backward is the
/// fused ∂L/∂z = (p − onehot(y))/N: no softmax layer is needed in the model. Introduced in notebook 03.
/// </summary>
public sealed class CrossEntropyLoss : ILoss
{
    private Tensor? _probabilities;
    private int[]? _labels;

    /// <summary>The softmax probabilities of the last forward, shape (N, C).</summary>
    public Tensor? Probabilities => _probabilities;

    /// <inheritdoc/>
    public float Forward(Tensor output, int[] labels)
    {
        LossChecks.CheckLabels(nameof(CrossEntropyLoss), output, labels);
        int n = output.Size(0), classes = output.Size(1);
        var probabilities = new Tensor(n, classes);
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> z = output.Row(i);
            Span<float> p = probabilities.Row(i);
            // log pᵧ = zᵧ − max − log Σ e^(z − max): stable for any logits.
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, p);
            TensorPrimitives.Exp(p, p);
            float total = FixedOrder.Sum(p);
            sum -= z[labels[i]] - max - Math.Log(total);
            TensorPrimitives.Divide(p, total, p);
        }
        _probabilities = probabilities;
        _labels = labels;
        return (float)(sum / n);
    }

    /// <inheritdoc/>
    public Tensor Backward()
    {
        Tensor probabilities = _probabilities ?? throw new InvalidOperationException("CrossEntropyLoss.Backward called before Forward");
        int n = probabilities.Size(0), classes = probabilities.Size(1);
        var gradient = new Tensor(n, classes);
        float scale = 1f / n;
        for (int i = 0; i < n; i++)
        {
            TensorPrimitives.Multiply(probabilities.Row(i), scale, gradient.Row(i));
            gradient.Data[i * classes + _labels![i]] -= scale;
        }
        return gradient;
    }
}
