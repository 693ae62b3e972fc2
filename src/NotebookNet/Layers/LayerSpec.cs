using System.Globalization;

namespace NotebookNet.Layers;

/// <summary>
/// What a layer is, with the named arguments that rebuild it, e.g. <c>Linear(inFeatures: 784, outFeatures: 200, bias: false)</c>:
/// the architecture a model file stores. Each layer writes its own spec (<see cref="ILayer.Spec"/>) and reads it back in a
/// static <c>FromSpec</c> beside it. Arguments are whole numbers, real numbers or true/false.
/// </summary>
public sealed class LayerSpec
{
    private readonly List<KeyValuePair<string, object>> _arguments;

    /// <summary>Creates a spec from a type name and its named arguments (each an <see cref="int"/>, <see cref="float"/>,
    /// <see cref="double"/> or <see cref="bool"/>).</summary>
    /// <exception cref="ArgumentException">A name is given twice or a value is of another type.</exception>
    public LayerSpec(string type, params IEnumerable<(string Name, object Value)> arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        Type = type;
        _arguments = [];
        foreach ((string name, object value) in arguments)
        {
            object stored = value switch
            {
                bool flag => flag,
                int whole => (double)whole,
                float real => (double)real,
                double real => real,
                _ => throw new ArgumentException($"{type}: argument {name} is a {value?.GetType().Name ?? "null"}; a spec holds numbers and true/false", nameof(arguments)),
            };
            if (_arguments.Any(pair => pair.Key == name))
            {
                throw new ArgumentException($"{type}: argument {name} is given twice", nameof(arguments));
            }
            _arguments.Add(new(name, stored));
        }
    }

    /// <summary>The layer's type name, e.g. <c>Linear</c>: the key of <see cref="Serialization.LayerRegistry"/>.</summary>
    public string Type { get; }

    /// <summary>The arguments in order; numbers are stored as <see cref="double"/>, flags as <see cref="bool"/>.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Arguments => _arguments;

    /// <summary>The argument <paramref name="name"/> as a whole number.</summary>
    /// <exception cref="InvalidDataException">It is missing or not a whole number.</exception>
    public int Int(string name) =>
        Get(name) is double value && value == Math.Floor(value) && value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new InvalidDataException($"{this}: {name} must be a whole number");

    /// <summary>The argument <paramref name="name"/> as a real number.</summary>
    /// <exception cref="InvalidDataException">It is missing or not a number.</exception>
    public float Float(string name) =>
        Get(name) is double value ? (float)value : throw new InvalidDataException($"{this}: {name} must be a number");

    /// <summary>The argument <paramref name="name"/> as true or false.</summary>
    /// <exception cref="InvalidDataException">It is missing or not true/false.</exception>
    public bool Bool(string name) =>
        Get(name) is bool value ? value : throw new InvalidDataException($"{this}: {name} must be true or false");

    /// <summary>True when both have the same type and the same arguments in the same order.</summary>
    public bool Matches(LayerSpec other) =>
        Type == other.Type && _arguments.Count == other._arguments.Count
        && _arguments.Zip(other._arguments).All(pair => pair.First.Key == pair.Second.Key && pair.First.Value.Equals(pair.Second.Value));

    /// <inheritdoc/>
    public override string ToString() =>
        _arguments.Count == 0 ? Type : $"{Type}({string.Join(", ", _arguments.Select(pair => $"{pair.Key}: {Format(pair.Value)}"))})";

    private object Get(string name)
    {
        foreach (KeyValuePair<string, object> pair in _arguments)
        {
            if (pair.Key == name)
            {
                return pair.Value;
            }
        }
        throw new InvalidDataException($"{this}: the argument {name} is missing");
    }

    private static string Format(object value) => value switch
    {
        bool flag => flag ? "true" : "false",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
