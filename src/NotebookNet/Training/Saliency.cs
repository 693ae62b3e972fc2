using NotebookNet.Layers;
using NotebookNet.Tensors;

namespace NotebookNet.Training;

/// <summary>
/// What a network looks at: the gradient of one class's score with respect to the input, ∂score/∂x, computed by the
/// model's own backward pass in evaluation mode. Large values mark the pixels whose change would move that score most
/// (Simonyan, Vedaldi and Zisserman 2014). Introduced in notebook 04.
/// </summary>
public static class Saliency
{
    /// <summary>
    /// The gradient of the score of <paramref name="target"/> (by default the class the model predicts) with respect to
    /// <paramref name="example"/>, one input with a leading batch of 1 in the model's input shape. The score is the
    /// model's output before any loss: the logit for networks trained with cross-entropy, the sigmoid output for
    /// Rashid's. The model's parameter gradients are left at zero and its training mode as it was.
    /// </summary>
    /// <exception cref="ArgumentException">The example is not a batch of one, or the target is not one of the model's classes.</exception>
    public static Tensor Of(Sequential model, Tensor example, int? target = null)
    {
        if (example.Rank < 2 || example.Size(0) != 1)
        {
            throw new ArgumentException($"saliency takes one example with a leading batch of 1, got {example.ShapeText}", nameof(example));
        }
        bool required = model.RequiresInputGradient;
        using ModeScope evaluation = model.EvaluationMode();
        model.RequiresInputGradient = true;
        try
        {
            Tensor scores = model.Forward(example);
            int classes = scores.Size(1);
            int chosen = target ?? scores.ArgMaxRows()[0];
            if (chosen < 0 || chosen >= classes)
            {
                throw new ArgumentException($"class {chosen} is not one of the model's {classes}", nameof(target));
            }
            var seed = new Tensor(1, classes);
            seed[0, chosen] = 1f;
            return model.Backward(seed).Reshape(example.Shape.ToArray());
        }
        finally
        {
            model.RequiresInputGradient = required;
            model.ZeroGradients();
        }
    }
}
