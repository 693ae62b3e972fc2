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
        Apply(input.Data, output.Data);
        LastOutput = output;
        return output;
    }

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
        Derive(outputGradient.Data, inputGradient.Data);
        return inputGradient;
    }

    /// <summary>output = f(input), element by element (or row by row for softmax); writes every value of <paramref name="output"/>.</summary>
    protected abstract void Apply(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>∂L/∂input from ∂L/∂output and the cached forward values; writes every value of <paramref name="inputGradient"/>.</summary>
    protected abstract void Derive(ReadOnlySpan<float> outputGradient, Span<float> inputGradient);
}
