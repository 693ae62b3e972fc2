using NotebookNet.Tensors;

namespace NotebookNet.Optimizers;

/// <summary>
/// Updates parameters from their gradients. Optimizers see <see cref="Parameter"/>s, never layers.
/// Introduced in notebook 04.
/// </summary>
public interface IOptimizer
{
    /// <summary>The step size η; a schedule may change it between epochs.</summary>
    float LearningRate { get; set; }

    /// <summary>The parameters this optimizer updates.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>One update of every parameter from its current gradient.</summary>
    void Step();

    /// <summary>Sets every parameter's gradient to zero, before the next backward pass adds into them.</summary>
    void ZeroGradients();
}
