using NotebookNet.Activations;
using NotebookNet.Layers;

namespace NotebookNet.Serialization;

/// <summary>
/// Every layer type a model file can hold, by the type name of its <see cref="LayerSpec"/>, with the function that rebuilds
/// it (each layer's own <c>FromSpec</c>). A new layer adds one line here; a notebook can <see cref="Register"/> its own.
/// </summary>
public static class LayerRegistry
{
    private static readonly Dictionary<string, Func<LayerSpec, ILayer>> s_factories = new(StringComparer.Ordinal)
    {
        [nameof(Linear)] = Linear.FromSpec,
        [nameof(Conv2d)] = Conv2d.FromSpec,
        [nameof(MaxPool2d)] = MaxPool2d.FromSpec,
        [nameof(Dropout)] = Dropout.FromSpec,
        [nameof(BatchNorm)] = BatchNorm.FromSpec,
        [nameof(Flatten)] = _ => new Flatten(),
        [nameof(ReLU)] = _ => new ReLU(),
        [nameof(Sigmoid)] = _ => new Sigmoid(),
        [nameof(Tanh)] = _ => new Tanh(),
        [nameof(Softmax)] = _ => new Softmax(),
    };

    /// <summary>The registered type names.</summary>
    public static IReadOnlyCollection<string> Types => s_factories.Keys;

    /// <summary>Adds (or replaces) the function that rebuilds layers of type <paramref name="type"/>.</summary>
    public static void Register(string type, Func<LayerSpec, ILayer> create)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(create);
        lock (s_factories)
        {
            s_factories[type] = create;
        }
    }

    /// <summary>
    /// How many values a layer described by <paramref name="spec"/> stores in a model file, from its arguments alone and
    /// before anything is allocated; null where only the layer's constructor knows (a notebook's own type). A reader sums
    /// them and refuses an architecture whose weights the rest of the file cannot hold, before building it: a damaged
    /// header that claims a billion weights allocates nothing.
    /// </summary>
    public static double? StoredValues(LayerSpec spec)
    {
        try
        {
            return spec.Type switch
            {
                nameof(Linear) => (double)spec.Int("inFeatures") * spec.Int("outFeatures") + (spec.Bool("bias") ? spec.Int("outFeatures") : 0),
                nameof(Conv2d) => (double)spec.Int("outChannels") * spec.Int("inChannels") * spec.Int("kernelSize") * spec.Int("kernelSize")
                    + (spec.Bool("bias") ? spec.Int("outChannels") : 0),
                nameof(BatchNorm) => 4.0 * spec.Int("numFeatures"),
                nameof(MaxPool2d) or nameof(Dropout) or nameof(Flatten) or nameof(ReLU) or nameof(Sigmoid) or nameof(Tanh) or nameof(Softmax) => 0,
                _ => null,
            };
        }
        catch (Exception error) when (error is InvalidDataException or KeyNotFoundException or ArgumentException or InvalidCastException or OverflowException)
        {
            return null; // a missing or malformed argument: Create says which
        }
    }

    /// <summary>Rebuilds the layer <paramref name="spec"/> describes (its weights are for the model file to fill).</summary>
    /// <exception cref="InvalidDataException">The type is unknown, or an argument is missing, extra or out of range.</exception>
    public static ILayer Create(LayerSpec spec)
    {
        Func<LayerSpec, ILayer>? create;
        lock (s_factories)
        {
            s_factories.TryGetValue(spec.Type, out create);
        }
        if (create is null)
        {
            throw new InvalidDataException($"unknown layer type \"{spec.Type}\"; known: {string.Join(", ", Types.Order(StringComparer.Ordinal))}");
        }
        ILayer layer;
        try
        {
            layer = create(spec);
        }
        catch (ArgumentException error)
        {
            throw new InvalidDataException($"{spec}: {error.Message}", error);
        }
        // The rebuilt layer must describe itself the same way: this catches extra or misspelt arguments.
        if (!layer.Spec.Matches(spec))
        {
            throw new InvalidDataException($"{spec}: rebuilt as {layer.Spec}; the file's arguments do not describe a {spec.Type}");
        }
        return layer;
    }
}
