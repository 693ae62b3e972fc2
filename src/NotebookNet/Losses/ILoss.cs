using NotebookNet.Tensors;

namespace NotebookNet.Losses;

/// <summary>
/// A loss L(output, labels) averaged over the batch, and its gradient ∂L/∂output.
/// Notebook 03 derives the gradients of the two losses that implement it.
/// </summary>
public interface ILoss
{
    /// <summary>The loss of a (N, C) output against N class labels; keeps what <see cref="Backward"/> needs.</summary>
    float Forward(Tensor output, int[] labels);

    /// <summary>∂L/∂output for the last <see cref="Forward"/>, shape (N, C).</summary>
    Tensor Backward();
}

internal static class LossChecks
{
    public static void CheckLabels(string loss, Tensor output, int[] labels)
    {
        if (output.Rank != 2)
        {
            throw new ArgumentException($"{loss}: expected output (N, C), got {output.ShapeText}");
        }
        if (labels.Length != output.Size(0))
        {
            throw new ArgumentException($"{loss}: output has {output.Size(0)} rows but there are {labels.Length} labels");
        }
        int classes = output.Size(1);
        foreach (int label in labels)
        {
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentException($"{loss}: label {label} is outside 0..{classes - 1}");
            }
        }
    }
}
