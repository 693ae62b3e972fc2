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
        _gradient = new Tensor(value.Shape.ToArray());
    }

    /// <summary>The name within its layer, such as <c>weight</c> or <c>bias</c>.</summary>
    public string Name { get; }

    /// <summary>The current value.</summary>
    public Tensor Value { get; }

    private readonly Tensor _gradient;
    private bool _spent;

    // A gradient held as the outer product left ⊗ right (see SetOuterProduct): written into _gradient only when read.
    private float[]? _left, _right;
    private bool _outerProduct;

    /// <summary>
    /// ∂L/∂value, accumulated by every backward pass since the last <see cref="ZeroGradient"/> — or, right after an
    /// optimizer step, the gradient that step used (see <see cref="MarkGradientSpent"/>). Read it through this property
    /// after each backward pass rather than keeping the tensor: a gradient held as an outer product
    /// (<see cref="SetOuterProduct"/>) is written into the tensor on that read.
    /// </summary>
    public Tensor Gradient
    {
        get
        {
            if (_outerProduct)
            {
                OuterProductValues(0, _gradient.Data);
                _outerProduct = false;
            }
            return _gradient;
        }
    }

    /// <summary>Sets the gradient to zero, before the next backward pass adds into it.</summary>
    public void ZeroGradient()
    {
        Array.Clear(_gradient.Data);
        _spent = false;
        _outerProduct = false;
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
        // Overwritten: a pending outer product is dropped unwritten. Added to: it is written first.
        Tensor gradient = beta == 0f ? _gradient : Gradient;
        _outerProduct = false;
        return (gradient, beta);
    }

    /// <summary>
    /// For a layer whose weight gradient is one outer product, left ⊗ right (a dense layer's ∂L/∂W = ∂L/∂yᵀ·x for a
    /// batch of one): when the gradient is spent (<see cref="MarkGradientSpent"/>) and would be overwritten, keeps the two
    /// vectors instead of writing the product, and returns true; else returns false and the layer writes it as usual.
    /// </summary>
    /// <remarks>
    /// Writing the product and reading it back are two of the four passes over the weights in a step of per-sample
    /// training. An optimizer that can update from the two vectors (<see cref="Optimizers.Optimizer.UpdatesFromOuterProducts"/>)
    /// skips both; for any other reader <see cref="Gradient"/> writes the product on first read, value for value the
    /// rounded products the layer would have written.
    /// </remarks>
    public bool SetOuterProduct(ReadOnlySpan<float> left, ReadOnlySpan<float> right)
    {
        if (!_spent || Value.Rank != 2 || left.Length != Value.Size(0) || right.Length != Value.Size(1))
        {
            return false;
        }
        left.CopyTo(_left ??= new float[left.Length]);
        right.CopyTo(_right ??= new float[right.Length]);
        _spent = false;
        _outerProduct = true;
        return true;
    }

    /// <summary>
    /// The gradient's two vectors when it is held as an outer product not yet written (<see cref="SetOuterProduct"/>):
    /// value (i, j) of the gradient is left[i]·right[j].
    /// </summary>
    public bool TryGetOuterProduct(out ReadOnlySpan<float> left, out ReadOnlySpan<float> right)
    {
        left = _outerProduct ? _left : default;
        right = _outerProduct ? _right : default;
        return _outerProduct;
    }

    private void OuterProductValues(int offset, Span<float> destination)
    {
        float[] left = _left!, right = _right!;
        int columns = right.Length;
        for (int i = offset, end = offset + destination.Length; i < end;)
        {
            int row = i / columns, column = i % columns, count = Math.Min(columns - column, end - i);
            // Each value one rounded product, as the layer's outer product writes it.
            TensorPrimitives.Multiply(right.AsSpan(column, count), left[row], destination.Slice(i - offset, count));
            i += count;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Value.ShapeText}";
}
