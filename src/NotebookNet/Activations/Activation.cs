using NotebookNet.Layers;
using NotebookNet.Tensors;

namespace NotebookNet.Activations;

/// <summary>
/// The shared part of the element-wise activations: no parameters, the output has the input's shape.
/// Each subclass gives f and its derivative; notebook 02 checks them against the formulas.
/// </summary>
public abstract class Activation : ILayer
{
    /// <summary>The input of the last forward, for activations whose derivative needs it.</summary>
    protected Tensor? LastInput { get; private set; }

    /// <summary>The output of the last forward, for activations whose derivative is cheaper from it.</summary>
    protected Tensor? LastOutput { get; private set; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc/>
    public bool IsTraining { get; set; } = true;

    /// <inheritdoc/>
    public LayerSpec Spec => new(GetType().Name);

    /// <inheritdoc/>
    public int[] OutputShape(IReadOnlyList<int> inputShape) => inputShape.ToArray();

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        var output = Tensor.ForOverwrite(input.Shape.ToArray()); // Apply writes every value
        LastInput = input;
        LastOutput = output;
        InPartsOrWhole(input.Length, (offset, length) => Apply(input.Data.AsSpan(offset, length), output.Data.AsSpan(offset, length)));
        return output;
    }

    /// <inheritdoc/>
    public void ReleaseBatch() => (LastInput, LastOutput) = (null, null);

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        if (LastOutput is null)
        {
            throw new InvalidOperationException($"{GetType().Name}.Backward called before Forward");
        }
        if (!outputGradient.SameShape(LastOutput))
        {
            throw new ArgumentException($"{GetType().Name}.Backward: expected gradient shape {LastOutput.ShapeText}, got {outputGradient.ShapeText}");
        }
        var inputGradient = Tensor.ForOverwrite(outputGradient.Shape.ToArray()); // Derive writes every value
        float[] input = LastInput!.Data, output = LastOutput.Data, dy = outputGradient.Data, dx = inputGradient.Data;
        InPartsOrWhole(dx.Length, (offset, length) => Derive(input.AsSpan(offset, length), output.AsSpan(offset, length),
            dy.AsSpan(offset, length), dx.AsSpan(offset, length)));
        return inputGradient;
    }

    /// <summary>output = f(input), element by element (or row by row for softmax); writes every value of <paramref name="output"/>.</summary>
    protected abstract void Apply(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>
    /// ∂L/∂input from ∂L/∂output and the last forward's <paramref name="input"/> and <paramref name="output"/> (the same
    /// values' parts); writes every value of <paramref name="inputGradient"/>.
    /// </summary>
    protected abstract void Derive(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient);

    /// <summary>
    /// Whether <see cref="Apply"/> and <see cref="Derive"/> may be given parts of the values, at once on several threads:
    /// true where each value's result is its own and the same bits in whatever part it lies (default false).
    /// </summary>
    protected virtual bool InParts => false;

    /// <summary>Calls <paramref name="part"/> on parts of the values on the threads when <see cref="InParts"/>, else once on them all.</summary>
    private void InPartsOrWhole(int length, Action<int, int> part)
    {
        if (InParts)
        {
            EachPart.Run(length, part);
        }
        else
        {
            part(0, length);
        }
    }
}
