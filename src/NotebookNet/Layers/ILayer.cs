using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>
/// One stage of a network: a forward function that caches what its backward needs.
/// The layers of notebook 02 (forward) and notebook 03 (backward) implement it.
/// </summary>
/// <remarks>
/// To add a layer: write a class implementing this interface in its own file, with a static <c>FromSpec(LayerSpec)</c>
/// beside its <see cref="Spec"/>, add a gradient check test, and register it in <see cref="Serialization.LayerRegistry"/>.
/// </remarks>
public interface ILayer
{
    /// <summary>Computes the output and keeps what <see cref="Backward"/> will need.</summary>
    Tensor Forward(Tensor input);

    /// <summary>
    /// Given ∂L/∂output of the last <see cref="Forward"/>, adds ∂L/∂θ into each parameter's gradient
    /// and returns ∂L/∂input.
    /// </summary>
    Tensor Backward(Tensor outputGradient);

    /// <summary>
    /// <see cref="Backward"/> without ∂L/∂input, which the first layer of a model never needs: <see cref="Sequential"/>
    /// calls it for its first layer. A layer overrides it only where skipping that product saves time.
    /// </summary>
    void BackwardParametersOnly(Tensor outputGradient) => Backward(outputGradient);

    /// <summary>
    /// Lets go of what the last <see cref="Forward"/> kept for <see cref="Backward"/> — its input, positions, partial
    /// sums — so that a model kept after training or evaluation holds its parameters and little else (a batch-normalised
    /// network held 129 MB of its last batch of evaluation for 0.9 MB of parameters). <see cref="Training.Trainer.Fit"/>,
    /// <see cref="Training.Evaluation.Predict"/> and <see cref="Training.Ensemble"/> call it when done; a Backward after it is refused as one before any
    /// Forward. A layer that keeps whole batches overrides it.
    /// </summary>
    void ReleaseBatch()
    {
    }

    /// <summary>The trainable parameters (none for activations).</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// Tensors that belong to the model but are not trained, such as batch normalisation's running mean: saved and
    /// loaded with the parameters. Most layers have none.
    /// </summary>
    IReadOnlyList<NamedTensor> Buffers => [];

    /// <summary>
    /// The random generators the layer draws from while training, such as dropout's masks: a training checkpoint saves
    /// their state, so a resumed run draws what an uninterrupted one would. Most layers have none.
    /// </summary>
    IReadOnlyList<Rng> RandomGenerators => [];

    /// <summary>True while training; layers such as dropout behave differently in evaluation.</summary>
    bool IsTraining { get; set; }

    /// <summary>The output shape for an input of <paramref name="inputShape"/> (batch dimension included).</summary>
    /// <exception cref="ArgumentException">The layer cannot take that shape.</exception>
    int[] OutputShape(IReadOnlyList<int> inputShape);

    /// <summary>What the layer is, with the named arguments that rebuild it: the architecture stored in model files.</summary>
    LayerSpec Spec { get; }
}

/// <summary>A tensor of a model's state and its name, such as <c>0.weight</c> or <c>3.running_mean</c>.</summary>
public readonly record struct NamedTensor(string Name, Tensor Value);

/// <summary>Helpers every layer gets.</summary>
public static class LayerExtensions
{
    /// <summary>
    /// The layer's state: each parameter's value, then each buffer, by its name within the layer.
    /// <see cref="Sequential.State"/> qualifies the names with each layer's index.
    /// </summary>
    public static IEnumerable<NamedTensor> State(this ILayer layer) =>
        layer is Sequential model
            ? model.State
            : layer.Parameters.Select(parameter => new NamedTensor(parameter.Name, parameter.Value)).Concat(layer.Buffers);

    /// <summary>Every random generator of the layer and of the layers inside it (<see cref="ILayer.RandomGenerators"/>), in order.</summary>
    public static IEnumerable<Rng> AllRandomGenerators(this ILayer layer) =>
        layer is Sequential model ? model.Layers.SelectMany(AllRandomGenerators) : layer.RandomGenerators;

    /// <summary>
    /// Puts the layer in evaluation mode (<see cref="ILayer.IsTraining"/> false) until the returned scope is disposed,
    /// which restores the mode it had: <c>using (model.EvaluationMode()) { … }</c>.
    /// </summary>
    public static ModeScope EvaluationMode(this ILayer layer) => new(layer, training: false);
}

/// <summary>A layer's <see cref="ILayer.IsTraining"/> set for a while; disposing restores the earlier value.</summary>
public readonly struct ModeScope : IDisposable
{
    private readonly ILayer _layer;
    private readonly bool _previous;

    internal ModeScope(ILayer layer, bool training)
    {
        _layer = layer;
        _previous = layer.IsTraining;
        layer.IsTraining = training;
    }

    /// <summary>Restores the mode the layer had.</summary>
    public void Dispose() => _layer.IsTraining = _previous;
}
