using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>
/// One stage of a network: a forward function that caches what its backward needs.
/// Introduced in notebook 02 (forward) and notebook 03 (backward).
/// </summary>
public interface ILayer
{
    /// <summary>Computes the output and keeps what <see cref="Backward"/> will need.</summary>
    Tensor Forward(Tensor input);

    /// <summary>
    /// Given ∂L/∂output of the last <see cref="Forward"/>, adds ∂L/∂θ into each parameter's gradient
    /// and returns ∂L/∂input.
    /// </summary>
    Tensor Backward(Tensor outputGradient);

    /// <summary>
    /// Like <see cref="Backward"/> for the first layer of a network, whose input needs no gradient:
    /// adds into the parameter gradients and may skip computing ∂L/∂input.
    /// </summary>
    void BackwardParametersOnly(Tensor outputGradient) => Backward(outputGradient);

    /// <summary>The trainable parameters (none for activations).</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>True while training; layers such as dropout behave differently in evaluation.</summary>
    bool IsTraining { get; set; }

    /// <summary>The output shape for an input of <paramref name="inputShape"/> (batch dimension included).</summary>
    /// <exception cref="ArgumentException">The layer cannot take that shape.</exception>
    int[] OutputShape(IReadOnlyList<int> inputShape);

    /// <summary>What the layer is, with the arguments that rebuild it: the architecture stored in model files.</summary>
    LayerSpec Spec { get; }
}

/// <summary>A layer's type and the numbers that rebuild it, e.g. <c>Linear(784, 200, 1)</c>.</summary>
public sealed record LayerSpec(string Type, IReadOnlyList<double> Arguments)
{
    /// <summary>Creates a spec from a type name and its arguments.</summary>
    public LayerSpec(string type, params double[] arguments)
        : this(type, (IReadOnlyList<double>)arguments)
    {
    }

    /// <summary>True when both have the same type and arguments.</summary>
    public bool Matches(LayerSpec other) => Type == other.Type && Arguments.SequenceEqual(other.Arguments);

    /// <inheritdoc/>
    public override string ToString() =>
        Arguments.Count == 0 ? Type : $"{Type}({string.Join(", ", Arguments.Select(a => a.ToString(System.Globalization.CultureInfo.InvariantCulture)))})";
}
