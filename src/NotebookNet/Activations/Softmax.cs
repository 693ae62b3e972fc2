using NotebookNet.Tensors;

namespace NotebookNet.Activations;

/// <summary>
/// Softmax over each row of (N, C): pᵢ = e^zᵢ / Σⱼ e^zⱼ. Its backward is
/// ∂L/∂zᵢ = pᵢ·(∂L/∂pᵢ − Σⱼ ∂L/∂pⱼ·pⱼ). For training with cross-entropy use
/// <see cref="Losses.CrossEntropyLoss"/> on the logits instead. Introduced in notebook 02.
/// </summary>
public sealed class Softmax : Activation
{
    /// <inheritdoc/>
    protected override void Apply(ReadOnlySpan<float> input, Span<float> output)
    {
        int classes = Classes;
        for (int row = 0; row < input.Length; row += classes)
        {
            // Subtract the row maximum so e^z cannot overflow; the sum is FixedOrder's, the same on every processor.
            ReadOnlySpan<float> z = input.Slice(row, classes);
            Span<float> p = output.Slice(row, classes);
            TensorPrimitives.Subtract(z, TensorPrimitives.Max(z), p);
            TensorPrimitives.Exp(p, p);
            TensorPrimitives.Divide(p, FixedOrder.Sum(p), p);
        }
    }

    /// <inheritdoc/>
    protected override void Derive(ReadOnlySpan<float> input, ReadOnlySpan<float> probabilities, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        int classes = Classes;
        for (int row = 0; row < probabilities.Length; row += classes)
        {
            ReadOnlySpan<float> p = probabilities.Slice(row, classes);
            ReadOnlySpan<float> g = outputGradient.Slice(row, classes);
            float dot = FixedOrder.Dot(g, p);
            for (int i = 0; i < classes; i++)
            {
                inputGradient[row + i] = p[i] * (g[i] - dot);
            }
        }
    }

    private int Classes => LastInput!.Size(-1);
}
