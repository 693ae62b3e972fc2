using System.Numerics;

namespace NotebookNet.Activations;

/// <summary>ReLU(z) = max(0, z); its derivative is 1 where z &gt; 0, else 0. Introduced in notebook 02.</summary>
public sealed class ReLU : Activation
{
    /// <summary>True: max(0, z) and its compare-and-select give each value its own exact result, on any part.</summary>
    protected override bool InParts => true;

    /// <inheritdoc/>
    protected override void Apply(ReadOnlySpan<float> input, Span<float> output) => TensorPrimitives.Max(input, 0f, output);

    /// <inheritdoc/>
    protected override void Derive(ReadOnlySpan<float> z, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        int i = 0;
        // ∂L/∂z = ∂L/∂y where z > 0, else 0: a vector compare and select, a whole vector at a time.
        for (; i + Vector<float>.Count <= z.Length; i += Vector<float>.Count)
        {
            var positive = Vector.GreaterThan(new Vector<float>(z[i..]), Vector<float>.Zero);
            Vector.ConditionalSelect(positive, new Vector<float>(outputGradient[i..]), Vector<float>.Zero).CopyTo(inputGradient[i..]);
        }
        for (; i < z.Length; i++)
        {
            inputGradient[i] = z[i] > 0f ? outputGradient[i] : 0f;
        }
    }
}
