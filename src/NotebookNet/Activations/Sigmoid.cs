
namespace NotebookNet.Activations;

/// <summary>σ(z) = 1/(1 + e^−z); σ′(z) = σ(z)·(1 − σ(z)). Introduced in notebook 02.</summary>
public sealed class Sigmoid : Activation
{
    /// <inheritdoc/>
    protected override void Apply(ReadOnlySpan<float> input, Span<float> output) => TensorPrimitives.Sigmoid(input, output);

    /// <inheritdoc/>
    protected override void Derive(ReadOnlySpan<float> input, ReadOnlySpan<float> s, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        for (int i = 0; i < s.Length; i++)
        {
            inputGradient[i] = outputGradient[i] * s[i] * (1f - s[i]);
        }
    }
}
