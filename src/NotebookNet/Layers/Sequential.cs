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
    }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<ILayer> Layers => _layers;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The total number of trainable values.</summary>
    public long ParameterCount => Parameters.Sum(p => (long)p.Value.Length);

    /// <inheritdoc/>
    public bool IsTraining
    {
        get => _layers[0].IsTraining;
        set => _layers.ForEach(layer => layer.IsTraining = value);
    }

    /// <inheritdoc/>
    public LayerSpec Spec => new("Sequential", _layers.Count);

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

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        Tensor gradient = outputGradient;
        for (int i = _layers.Count - 1; i >= 0; i--)
        {
            gradient = _layers[i].Backward(gradient);
        }
        return gradient;
    }

    /// <inheritdoc/>
    public void BackwardParametersOnly(Tensor outputGradient)
    {
        Tensor gradient = outputGradient;
        for (int i = _layers.Count - 1; i > 0; i--)
        {
            gradient = _layers[i].Backward(gradient);
        }
        _layers[0].BackwardParametersOnly(gradient);
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
        bool wasTraining = IsTraining;
        IsTraining = false;
        try
        {
            Tensor output = Forward(input);
            return ArgMaxRows(output);
        }
        finally
        {
            IsTraining = wasTraining;
        }
    }

    /// <summary>The index of the largest value of each row of a (N, C) tensor.</summary>
    public static int[] ArgMaxRows(Tensor output)
    {
        int n = output.Size(0);
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            result[i] = TensorPrimitives.IndexOfMax<float>(output.Row(i));
        }
        return result;
    }

    /// <summary>The layers as text, e.g. <c>Linear(784, 200, 0) → Sigmoid → Linear(200, 10, 0) → Sigmoid</c>.</summary>
    public override string ToString() => string.Join(" → ", _layers.Select(layer => layer.Spec.ToString()));
}
