using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>
/// Layers applied one after another; backward runs them in reverse. The model type of NotebookNet.
/// Introduced in notebook 02.
/// </summary>
public sealed class Sequential : ILayer
{
    private readonly List<ILayer> _layers;

    /// <summary>Creates a network from its layers, first to last.</summary>
    public Sequential(params IEnumerable<ILayer> layers)
    {
        _layers = layers.ToList();
        if (_layers.Count == 0)
        {
            throw new ArgumentException("a Sequential needs at least one layer", nameof(layers));
        }
        Parameters = _layers.SelectMany(layer => layer.Parameters).ToList();
        // A Sequential nested after another layer must hand ∂L/∂input back to the layer before it.
        foreach (Sequential inner in _layers.Skip(1).OfType<Sequential>())
        {
            inner.RequiresInputGradient = true;
        }
    }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<ILayer> Layers => _layers;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The total number of trainable values.</summary>
    public long ParameterCount => Parameters.Sum(p => (long)p.Value.Length);

    /// <summary>
    /// Every tensor the model is made of, parameters and buffers, each named by its layer's index and its own name
    /// (<c>0.weight</c>, <c>0.bias</c>, <c>3.running_mean</c>): what a model file stores.
    /// </summary>
    public IReadOnlyList<NamedTensor> State =>
        _layers.SelectMany((layer, index) => layer.State().Select(entry => entry with { Name = $"{index}.{entry.Name}" })).ToList();

    /// <summary>
    /// Whether <see cref="Backward"/> computes ∂L/∂input of the model (false by default). A model's input is data,
    /// which is not trained, so training skips that product; a saliency map — how the loss changes with each pixel —
    /// sets this to true.
    /// </summary>
    public bool RequiresInputGradient { get; set; }

    /// <inheritdoc/>
    public bool IsTraining
    {
        get => _layers[0].IsTraining;
        set => _layers.ForEach(layer => layer.IsTraining = value);
    }

    /// <inheritdoc/>
    public LayerSpec Spec => new("Sequential", ("layers", _layers.Count));

    /// <summary>The specs of every layer, first to last: the architecture.</summary>
    public IReadOnlyList<LayerSpec> Architecture => _layers.Select(layer => layer.Spec).ToList();

    /// <inheritdoc/>
    public int[] OutputShape(IReadOnlyList<int> inputShape)
    {
        IReadOnlyList<int> shape = inputShape;
        foreach (ILayer layer in _layers)
        {
            shape = layer.OutputShape(shape);
        }
        return shape.ToArray();
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        Tensor x = input;
        foreach (ILayer layer in _layers)
        {
            x = layer.Forward(x);
        }
        return x;
    }

    /// <summary>
    /// Given ∂L/∂output, runs every layer's backward from last to first, each adding into its parameters' gradients.
    /// Returns ∂L/∂input when <see cref="RequiresInputGradient"/> is set; otherwise the first layer skips that product
    /// and the result is an empty tensor of shape (0).
    /// </summary>
    public Tensor Backward(Tensor outputGradient)
    {
        Tensor gradient = outputGradient;
        for (int i = _layers.Count - 1; i > 0; i--)
        {
            gradient = _layers[i].Backward(gradient);
        }
        if (RequiresInputGradient)
        {
            return _layers[0].Backward(gradient);
        }
        _layers[0].BackwardParametersOnly(gradient);
        return new Tensor(0);
    }

    /// <inheritdoc/>
    void ILayer.BackwardParametersOnly(Tensor outputGradient)
    {
        bool requires = RequiresInputGradient;
        RequiresInputGradient = false;
        try
        {
            Backward(outputGradient);
        }
        finally
        {
            RequiresInputGradient = requires;
        }
    }

    /// <inheritdoc/>
    public void ReleaseBatch()
    {
        foreach (ILayer layer in _layers)
        {
            layer.ReleaseBatch();
        }
    }

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGradients()
    {
        foreach (Parameter parameter in Parameters)
        {
            parameter.ZeroGradient();
        }
    }

    /// <summary>The most likely class of each row of <paramref name="input"/>, in evaluation mode.</summary>
    public int[] Predict(Tensor input)
    {
        using (this.EvaluationMode())
        {
            return Forward(input).ArgMaxRows();
        }
    }

    /// <summary>The layers as text, e.g. <c>Linear(inFeatures: 784, outFeatures: 200, bias: false) → Sigmoid → …</c>.</summary>
    public override string ToString() => string.Join(" → ", _layers.Select(layer => layer.Spec.ToString()));
}
