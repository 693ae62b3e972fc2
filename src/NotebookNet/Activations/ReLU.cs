
namespace NotebookNet.Activations;

/// <summary>ReLU(z) = max(0, z); its derivative is 1 where z &gt; 0, else 0. Introduced in notebook 02.</summary>
public sealed class ReLU : Activation
{
    /// <inheritdoc/>
    protected override void Apply(ReadOnlySpan<float> input, Span<float> output) => TensorPrimitives.Max(input, 0f, output);

    /// <inheritdoc/>
    protected override void Derive(ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        ReadOnlySpan<float> z = LastInput!.Data;
        for (int i = 0; i < z.Length; i++)
        {
            inputGradient[i] = z[i] > 0f ? outputGradient[i] : 0f;
        }
    }
}
