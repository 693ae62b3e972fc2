namespace NotebookNet.Tensors;

/// <summary>
/// A trainable tensor and the gradient of the loss with respect to it.
/// Layers add into <see cref="Gradient"/>; optimizers read it, update <see cref="Value"/>, and set it back to zero.
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter with a zero gradient of the same shape.</summary>
    /// <param name="name">The name within its layer, such as <c>weight</c>; a model qualifies it (<c>0.weight</c>).</param>
    /// <param name="value">The tensor trained.</param>
    public Parameter(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
        Gradient = new Tensor(value.Shape.ToArray());
    }

    /// <summary>The name within its layer, such as <c>weight</c> or <c>bias</c>.</summary>
    public string Name { get; }

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    private bool _spent;

    /// <summary>
    /// ∂L/∂value, accumulated by every backward pass since the last <see cref="ZeroGradient"/> — or, right after an
    /// optimizer step, the gradient that step used (see <see cref="MarkGradientSpent"/>).
    /// </summary>
    public Tensor Gradient { get; }

    /// <summary>Sets the gradient to zero, before the next backward pass adds into it.</summary>
    public void ZeroGradient()
    {
        Array.Clear(Gradient.Data);
        _spent = false;
    }

    /// <summary>
    /// Marks the gradient as used up by an optimizer step, so the next backward pass overwrites it instead of adding to
    /// it: the same result as <see cref="ZeroGradient"/> then adding, without a pass over memory to clear it and another
    /// to read the zeros back. That pays in per-sample training, whose work per step is small (Rashid's network, bench W2:
    /// 8.9 s per epoch against 10.6 s when the step clears the gradient, measured on a 2-core Xeon with AVX-512).
    /// Until then <see cref="Gradient"/> keeps the values the step used.
    /// </summary>
    public void MarkGradientSpent() => _spent = true;

    /// <summary>
    /// For a layer about to add into the gradient: the gradient tensor, and β, the factor to scale its current values by
    /// before adding — 0 when the gradient is spent (<see cref="MarkGradientSpent"/>) and must be overwritten, else 1.
    /// </summary>
    public (Tensor Gradient, float Beta) GradientForAccumulation()
    {
        float beta = _spent ? 0f : 1f;
        _spent = false;
        return (Gradient, beta);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Value.ShapeText}";
}
