
using System.Runtime.Intrinsics;

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
        int i = 0;
        // ∂L/∂z = ∂L/∂y where z > 0, else 0: a vector compare and select, 8 values at a time.
        for (; i + Vector256<float>.Count <= z.Length; i += Vector256<float>.Count)
        {
            var positive = Vector256.GreaterThan(Vector256.Create(z.Slice(i, Vector256<float>.Count)), Vector256<float>.Zero);
            Vector256.ConditionalSelect(positive, Vector256.Create(outputGradient.Slice(i, Vector256<float>.Count)), Vector256<float>.Zero)
                .CopyTo(inputGradient.Slice(i, Vector256<float>.Count));
        }
        for (; i < z.Length; i++)
        {
            inputGradient[i] = z[i] > 0f ? outputGradient[i] : 0f;
        }
    }
}
