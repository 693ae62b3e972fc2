namespace NotebookNet.Tensors;

/// <summary>
/// A trainable tensor and the gradient of the loss with respect to it.
/// Layers add into <see cref="Gradient"/>; optimizers read it and update <see cref="Value"/>.
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter with a zero gradient of the same shape.</summary>
    public Parameter(string name, Tensor value)
    {
        Name = name;
        Value = value;
        Gradient = new Tensor(value.Shape.ToArray());
    }

    /// <summary>A name such as <c>weight</c> or <c>bias</c>.</summary>
    public string Name { get; }

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    /// <summary>∂L/∂value, accumulated since the last <see cref="ZeroGradient"/>.</summary>
    public Tensor Gradient { get; }

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGradient() => Array.Clear(Gradient.Data);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Value.ShapeText}";
}
