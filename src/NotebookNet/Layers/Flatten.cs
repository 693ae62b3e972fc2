using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>Reshapes (N, d1, d2, …) -> (N, d1·d2·…) without copying: between the convolutions and the dense layers of notebook 05's networks.</summary>
public sealed class Flatten : ILayer
{
    private int[]? _inputShape;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc/>
    public bool IsTraining { get; set; } = true;

    /// <inheritdoc/>
    public LayerSpec Spec => new(nameof(Flatten));

    /// <inheritdoc/>
    public int[] OutputShape(IReadOnlyList<int> inputShape)
    {
        if (inputShape.Count < 2)
        {
            throw new ArgumentException($"Flatten expects (N, …), got {Tensor.FormatShape(inputShape.ToArray())}");
        }
        int features = 1;
        for (int i = 1; i < inputShape.Count; i++)
        {
            features *= inputShape[i];
        }
        return [inputShape[0], features];
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        _inputShape = input.Shape.ToArray();
        return input.Reshape(OutputShape(input.Shape));
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient) =>
        outputGradient.Reshape(_inputShape ?? throw new InvalidOperationException("Flatten.Backward called before Forward"));
}
