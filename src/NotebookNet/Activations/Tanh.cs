
namespace NotebookNet.Activations;

/// <summary>tanh(z); tanh′(z) = 1 − tanh²(z). Introduced in notebook 02.</summary>
public sealed class Tanh : Activation
{
    /// <inheritdoc/>
    protected override void Apply(ReadOnlySpan<float> input, Span<float> output) => TensorPrimitives.Tanh(input, output);

    /// <inheritdoc/>
    protected override void Derive(ReadOnlySpan<float> input, ReadOnlySpan<float> t, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        for (int i = 0; i < t.Length; i++)
        {
            inputGradient[i] = outputGradient[i] * (1f - t[i] * t[i]);
        }
    }
}
