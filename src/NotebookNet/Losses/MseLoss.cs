using NotebookNet.Tensors;

namespace NotebookNet.Losses;

/// <summary>
/// Half the summed squared error, averaged over the batch: L = 1/(2N)·Σₙ Σᵢ (yₙᵢ − tₙᵢ)², so that
/// ∂L/∂y = (y − t)/N. With one sample per step this is exactly the update of Rashid's and Nielsen's
/// books. Labels become targets <see cref="Off"/> / <see cref="On"/> (Rashid: 0.01 and 0.99, which a
/// sigmoid can reach). Introduced in notebook 03.
/// </summary>
public sealed class MseLoss(float off = 0.01f, float on = 0.99f) : ILoss
{
    private Tensor? _output;
    private Tensor? _target;

    /// <summary>The target for the wrong classes.</summary>
    public float Off { get; } = off;

    /// <summary>The target for the right class.</summary>
    public float On { get; } = on;

    /// <inheritdoc/>
    public float Forward(Tensor output, int[] labels)
    {
        LossChecks.CheckLabels(nameof(MseLoss), output, labels);
        var target = Tensor.Full(Off, output.Shape.ToArray());
        int classes = output.Size(1);
        for (int n = 0; n < labels.Length; n++)
        {
            target.Data[n * classes + labels[n]] = On;
        }
        return Forward(output, target);
    }

    /// <summary>The loss against explicit targets of the output's shape.</summary>
    public float Forward(Tensor output, Tensor target)
    {
        if (!output.SameShape(target) || output.Rank != 2)
        {
            throw new ArgumentException($"{nameof(MseLoss)}: output {output.ShapeText} and target {target.ShapeText} must both be (N, C)");
        }
        double sum = 0;
        for (int i = 0; i < output.Length; i++)
        {
            double difference = output.Data[i] - target.Data[i];
            sum += difference * difference;
        }
        _output = output;
        _target = target;
        return (float)(sum / (2.0 * output.Size(0)));
    }

    /// <inheritdoc/>
    public Tensor Backward()
    {
        Tensor output = _output ?? throw new InvalidOperationException("MseLoss.Backward called before Forward");
        Tensor target = _target!;
        float scale = 1f / output.Size(0);
        var gradient = new Tensor(output.Shape.ToArray());
        for (int i = 0; i < output.Length; i++)
        {
            gradient.Data[i] = (output.Data[i] - target.Data[i]) * scale;
        }
        return gradient;
    }
}
