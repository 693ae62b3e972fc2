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
        _gradient = new Tensor(value.Shape.ToArray());
    }

    private readonly Tensor _gradient;
    private bool _zeroPending;

    /// <summary>A name such as <c>weight</c> or <c>bias</c>.</summary>
    public string Name { get; }

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    /// <summary>∂L/∂value, accumulated since the last <see cref="ZeroGradient"/>.</summary>
    public Tensor Gradient
    {
        get
        {
            if (_zeroPending)
            {
                Array.Clear(_gradient.Data);
                _zeroPending = false;
            }
            return _gradient;
        }
    }

    /// <summary>Sets the gradient to zero (lazily: the first layer to add into it overwrites it instead).</summary>
    public void ZeroGradient() => _zeroPending = true;

    /// <summary>
    /// For a layer about to add into the gradient: the tensor, and the β to scale its current values by
    /// (0 right after <see cref="ZeroGradient"/>, when they are stale and must all be overwritten; else 1).
    /// Saves a pass over memory per step, which per-sample training notices.
    /// </summary>
    public (Tensor Gradient, float Beta) GradientForAccumulation()
    {
        float beta = _zeroPending ? 0f : 1f;
        _zeroPending = false;
        return (_gradient, beta);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Value.ShapeText}";
}
