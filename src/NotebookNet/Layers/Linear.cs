using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>
/// A fully connected layer: Y = X·Wᵀ + b, shapes (N, in) -> (N, out), with W of shape (out, in)
/// as in PyTorch. Row n of Y is the column vector W·xₙ + b of the book notation. Introduced in notebook 02.
/// </summary>
public sealed class Linear : ILayer
{
    private Tensor? _input;

    /// <summary>Creates the layer with weights drawn by <paramref name="init"/> and zero biases.</summary>
    /// <param name="inFeatures">Inputs per sample.</param>
    /// <param name="outFeatures">Outputs per sample.</param>
    /// <param name="rng">The random source of the weights; a fixed seed gives the same weights every run.</param>
    /// <param name="bias">Whether the layer adds a bias (Rashid's network has none).</param>
    /// <param name="init">How the weights are drawn.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true, Init init = Init.He)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        ArgumentNullException.ThrowIfNull(rng);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = new Parameter("weight", new Tensor(outFeatures, inFeatures));
        Initializer.Fill(Weight.Value, init, inFeatures, outFeatures, rng);
        Bias = bias ? new Parameter("bias", new Tensor(outFeatures)) : null;
        Parameters = Bias is null ? [Weight] : [Weight, Bias];
    }

    /// <summary>Inputs per sample.</summary>
    public int InFeatures { get; }

    /// <summary>Outputs per sample.</summary>
    public int OutFeatures { get; }

    /// <summary>W, shape (out, in).</summary>
    public Parameter Weight { get; }

    /// <summary>b, shape (out,), or null when the layer has no bias.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc/>
    public bool IsTraining { get; set; } = true;

    /// <inheritdoc/>
    public LayerSpec Spec => new(nameof(Linear), ("inFeatures", InFeatures), ("outFeatures", OutFeatures), ("bias", Bias is not null));

    /// <summary>Rebuilds the layer described by <paramref name="spec"/>, with zero weights for a model file to fill.</summary>
    public static Linear FromSpec(LayerSpec spec) =>
        new(spec.Int("inFeatures"), spec.Int("outFeatures"), new Rng(0), spec.Bool("bias"), Init.Zeros);

    /// <inheritdoc/>
    public int[] OutputShape(IReadOnlyList<int> inputShape)
    {
        if (inputShape.Count != 2 || inputShape[1] != InFeatures)
        {
            throw new ArgumentException($"Linear({InFeatures}, {OutFeatures}) expects input (N, {InFeatures}), got {Tensor.FormatShape(inputShape.ToArray())}");
        }
        return [inputShape[0], OutFeatures];
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        int n = OutputShape(input.Shape)[0];
        // Every value is written before it is read: the bias's copy, or the product with β = 0.
        var output = Tensor.ForOverwrite(n, OutFeatures);
        if (Bias is not null)
        {
            for (int i = 0; i < n; i++)
            {
                Bias.Value.Span.CopyTo(output.Row(i));
            }
        }
        // (N, in) x (in, out) -> (N, out), reading W (out, in) as its transpose; β = 1 keeps the bias.
        MatMul.Multiply(input.Data, Weight.Value.Data, output.Data, n, OutFeatures, InFeatures,
            transposeB: true, beta: Bias is null ? 0f : 1f);
        _input = input;
        return output;
    }

    /// <inheritdoc/>
    public void ReleaseBatch() => _input = null;

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        BackwardParametersOnly(outputGradient);
        int n = outputGradient.Size(0);
        var inputGradient = new Tensor(n, InFeatures);
        // ∂L/∂X = ∂L/∂Y·W: (N, out) x (out, in) -> (N, in)
        MatMul.Multiply(outputGradient.Data, Weight.Value.Data, inputGradient.Data, n, InFeatures, OutFeatures);
        return inputGradient;
    }

    /// <inheritdoc/>
    public void BackwardParametersOnly(Tensor outputGradient)
    {
        Tensor input = _input ?? throw new InvalidOperationException("Linear.Backward called before Forward");
        int n = input.Size(0);
        outputGradient.RequireShape("Linear.Backward output gradient", n, OutFeatures);
        // ∂L/∂W += (∂L/∂Y)ᵀ·X: (out, N) x (N, in) -> (out, in), reading ∂L/∂Y (N, out) as its transpose. For one
        // sample that is the outer product ∂L/∂y ⊗ x, which the parameter can hold unwritten when it would be
        // overwritten (Parameter.SetOuterProduct).
        if (n != 1 || !Weight.SetOuterProduct(outputGradient.Row(0), input.Row(0)))
        {
            // β is 0 when the gradient was spent by an optimizer step: overwrite it instead of adding (Parameter.MarkGradientSpent).
            (Tensor weightGradient, float beta) = Weight.GradientForAccumulation();
            MatMul.Multiply(outputGradient.Data, input.Data, weightGradient.Data, OutFeatures, InFeatures, n,
                transposeA: true, beta: beta);
        }
        if (Bias is not null)
        {
            // ∂L/∂b += Σₙ ∂L/∂Yₙ: (N, out) -> (out,)
            (Tensor biasTensor, float biasBeta) = Bias.GradientForAccumulation();
            Span<float> biasGradient = biasTensor.Span;
            if (biasBeta == 0f)
            {
                biasGradient.Clear();
            }
            for (int i = 0; i < n; i++)
            {
                TensorPrimitives.Add(biasGradient, outputGradient.Row(i), biasGradient);
            }
        }
    }
}
