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
