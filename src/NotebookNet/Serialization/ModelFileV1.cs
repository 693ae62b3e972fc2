using System.Globalization;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Tensors;

namespace NotebookNet.Serialization;

/// <summary>
/// Reads version 1 of the model file, written by NotebookNet until model state had names. Its payload:
/// <code>
/// layer count u32, per layer: type (u16 length + UTF-8), argument count u16, arguments f64… (by position)
/// metadata count u32, per entry: key, value (u16 length + UTF-8)
/// tensor count u32, per tensor: rank u8, dimensions i32…, values f32… (the parameters in order)
/// </code>
/// The positional arguments of that version are frozen here; the input contract was the metadata
/// <c>scaling</c> and <c>input-shape</c>.
/// </summary>
internal static class ModelFileV1
{
    /// <summary>Each v1 layer type's argument names, in the order version 1 wrote them.</summary>
    private static readonly Dictionary<string, string[]> s_arguments = new(StringComparer.Ordinal)
    {
        ["Linear"] = ["inFeatures", "outFeatures", "bias"],
        ["Conv2d"] = ["inChannels", "outChannels", "kernelSize", "stride", "padding", "bias"],
        ["MaxPool2d"] = ["kernelSize", "stride"],
        ["Dropout"] = ["probability"],
        ["ReLU"] = [],
        ["Sigmoid"] = [],
        ["Tanh"] = [],
        ["Softmax"] = [],
        ["Flatten"] = [],
    };

    public static SavedModel Read(PayloadReader reader, string name)
    {
        uint layerCount = reader.UInt32("layer count");
        if (layerCount is 0 or > 10_000)
        {
            throw new InvalidDataException($"{name}: {layerCount} layers is not a valid model");
        }
        var layers = new List<ILayer>();
        double claimed = 0;
        for (int i = 0; i < layerCount; i++)
        {
            string type = reader.String("layer type");
            int argumentCount = reader.UInt16("argument count");
            var values = new double[argumentCount];
            for (int j = 0; j < argumentCount; j++)
            {
                values[j] = reader.Double("layer argument");
            }
            try
            {
                LayerSpec spec = ToSpec(type, values);
                claimed += LayerRegistry.StoredValues(spec) ?? 0;
                if (claimed * 4 > reader.Remaining)
                {
                    throw new InvalidDataException($"{spec} brings the architecture to {claimed:N0} weights, more than the {reader.Remaining:N0} bytes left in the file can hold: the file is damaged");
                }
                layers.Add(LayerRegistry.Create(spec));
            }
            catch (InvalidDataException error)
            {
                throw new InvalidDataException($"{name}: layer {i + 1}: {error.Message}", error);
            }
        }
        var model = new Sequential(layers);

        uint metadataCount = reader.UInt32("metadata count");
        var metadata = new Dictionary<string, string>();
        for (int i = 0; i < metadataCount; i++)
        {
            metadata[reader.String("metadata key")] = reader.String("metadata value");
        }

        uint tensorCount = reader.UInt32("tensor count");
        if (tensorCount != model.Parameters.Count)
        {
            throw new InvalidDataException($"{name}: holds {tensorCount} tensors, but its architecture {model} has {model.Parameters.Count} parameters");
        }
        foreach (Parameter parameter in model.Parameters)
        {
            reader.Tensor(parameter.Value, parameter.Name);
        }
        reader.RequireEnd();
        return new SavedModel(model, Input(metadata), metadata);
    }

    private static LayerSpec ToSpec(string type, double[] values)
    {
        if (!s_arguments.TryGetValue(type, out string[]? names))
        {
            throw new InvalidDataException($"unknown layer type \"{type}\" in a version 1 file");
        }
        if (values.Length != names.Length)
        {
            throw new InvalidDataException($"{type}: expected {names.Length} arguments, found {values.Length}");
        }
        return new LayerSpec(type, names.Zip(values, (argument, value) =>
            (argument, argument == "bias" ? value switch
            {
                0 => false,
                1 => true,
                _ => throw new InvalidDataException($"{type}: bias must be 0 or 1, found {value}"),
            } : (object)value)));
    }

    /// <summary>The input contract version 1 kept as metadata, or null when the file did not record it.</summary>
    private static ModelInput? Input(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("scaling", out string? scalingText) || !Enum.TryParse(scalingText, out PixelScaling scaling))
        {
            return null;
        }
        int[] shape = metadata.TryGetValue("input-shape", out string? shapeText)
            ? shapeText.Split(',').Select(size => int.TryParse(size, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
                ? value
                : throw new InvalidDataException($"input-shape \"{shapeText}\" is not a shape")).ToArray()
            : [784];
        return ModelInput.Mnist(scaling, shape);
    }
}
