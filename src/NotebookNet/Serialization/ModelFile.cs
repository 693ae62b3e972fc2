using System.Text;
using System.Text.Json;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Tensors;

namespace NotebookNet.Serialization;

/// <summary>
/// A model read from a file: the network, what it expects of its input (null in files that did not record it), and the
/// free-form metadata saved beside it (recipe, seed, test accuracy, …).
/// </summary>
public sealed record SavedModel(Sequential Model, ModelInput? Input, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// The model file format (<c>.nnw</c>), little-endian:
/// <code>
/// magic "NNWT" | version u32 | payload length u64 | payload | SHA-256 of the payload (32 bytes)
/// version 2 payload: description length u32, description (UTF-8 JSON:
///                      {"layers": [{"type": "Linear", "inFeatures": 784, …}, …], "input": {…}, "metadata": {…}}),
///                    tensor count u32, per tensor: name (u16 length + UTF-8, e.g. "0.weight"), rank u8, dimensions i32…, values f32…
/// </code>
/// Tensors are matched to the model's <see cref="Sequential.State"/> by name, so their order does not matter, and
/// buffers such as batch normalisation's running statistics travel with the parameters. Version 1 files (positional
/// layer arguments and tensors, <see cref="ModelFileV1"/>) still load. Any damage — a truncation, a flipped byte, another
/// version, another architecture — fails with an <see cref="InvalidDataException"/> that names the file and the problem.
/// Introduced in notebook 04.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this library writes.</summary>
    public const uint Version = 2;

    private static ReadOnlySpan<byte> Magic => "NNWT"u8;
    private const long MaxPayload = 1L << 30; // 1 GB: a quarter of a billion weights
    private const int MaxDescription = 1 << 20;

    /// <summary>Writes <paramref name="model"/>, what it expects of its input, and <paramref name="metadata"/> to <paramref name="stream"/>.</summary>
    public static void Save(Sequential model, Stream stream, ModelInput? input = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ChecksummedFile.Write(stream, Magic, Version, WritePayload(model, input, metadata ?? new Dictionary<string, string>()));
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically: to a temporary file beside it,
    /// flushed to disk, then renamed over the target, so a crash never leaves half a model.
    /// </summary>
    public static void Save(Sequential model, string path, ModelInput? input = null, IReadOnlyDictionary<string, string>? metadata = null) =>
        AtomicFile.Write(path, stream => Save(model, stream, input, metadata));

    /// <summary>
    /// Writes <paramref name="model"/> as a standard ONNX model (IR 7, operator set 13) to <paramref name="stream"/>, for
    /// ONNX Runtime or any ONNX tool: its input is (N, …<paramref name="input"/>'s shape) of pixels scaled as the model was
    /// trained (the scaling, the class names and the data set are in the ONNX model's metadata, not folded into the
    /// weights); its output is the logits, or with <paramref name="softmax"/> the probabilities. Dropout is left out.
    /// </summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX counterpart here (a notebook's own layer).</exception>
    public static void ExportOnnx(Sequential model, ModelInput input, Stream stream, bool softmax = false) =>
        OnnxExport.Write(model, input, softmax, stream);

    /// <summary>Writes the ONNX model to <paramref name="path"/> atomically (see <see cref="ExportOnnx(Sequential, ModelInput, Stream, bool)"/>).</summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX counterpart here.</exception>
    public static void ExportOnnx(Sequential model, ModelInput input, string path, bool softmax = false)
    {
        OnnxExport.Build(model, input, softmax); // refuse an unsupported layer before touching the file
        AtomicFile.Write(path, stream => OnnxExport.Write(model, input, softmax, stream));
    }

    /// <summary>Reads a model from <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, of another version, or not a model file.</exception>
    public static SavedModel Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such model file", path);
        }
        using FileStream file = File.OpenRead(path);
        return Load(file, Path.GetFileName(path));
    }

    /// <summary>Reads a model from <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The data is damaged, of another version, or not a model file.</exception>
    public static SavedModel Load(Stream stream, string name = "stream")
    {
        (uint version, ReadOnlyMemory<byte> payload) = ChecksummedFile.Read(stream, Magic, "model file", [1, Version], MaxPayload, name,
            "retrain or restore a copy");
        var reader = new PayloadReader(payload, name);
        return version == 1 ? ModelFileV1.Read(reader, name) : ReadPayload(reader, name);
    }

    /// <summary>
    /// Copies the state (parameters and buffers) of the file at <paramref name="path"/> into <paramref name="model"/>,
    /// which must have the same architecture, and returns what the file holds.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is damaged or holds another architecture.</exception>
    public static SavedModel LoadInto(Sequential model, string path)
    {
        SavedModel saved = Load(path);
        IReadOnlyList<LayerSpec> expected = model.Architecture, found = saved.Model.Architecture;
        if (expected.Count != found.Count || expected.Zip(found).Any(pair => !pair.First.Matches(pair.Second)))
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: holds the architecture {saved.Model}, but this model is {model}");
        }
        foreach ((NamedTensor target, NamedTensor source) in model.State.Zip(saved.Model.State))
        {
            source.Value.Span.CopyTo(target.Value.Span);
        }
        return saved;
    }

    private static byte[] WritePayload(Sequential model, ModelInput? input, IReadOnlyDictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("layers");
            foreach (LayerSpec spec in model.Architecture)
            {
                json.WriteStartObject();
                json.WriteString("type", spec.Type);
                foreach ((string key, object value) in spec.Arguments)
                {
                    if (value is bool flag)
                    {
                        json.WriteBoolean(key, flag);
                    }
                    else
                    {
                        json.WriteNumber(key, (double)value);
                    }
                }
                json.WriteEndObject();
            }
            json.WriteEndArray();
            if (input is not null)
            {
                json.WriteStartObject("input");
                json.WriteString("scaling", input.Scaling.ToString());
                json.WriteStartArray("shape");
                foreach (int size in input.Shape)
                {
                    json.WriteNumberValue(size);
                }
                json.WriteEndArray();
                json.WriteStartArray("classNames");
                foreach (string className in input.ClassNames)
                {
                    json.WriteStringValue(className);
                }
                json.WriteEndArray();
                json.WriteString("dataset", input.Dataset);
                json.WriteEndObject();
            }
            json.WriteStartObject("metadata");
            foreach ((string key, string value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        byte[] description = buffer.ToArray();
        buffer.SetLength(0);

        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        writer.Write((uint)description.Length);
        writer.Write(description);
        IReadOnlyList<NamedTensor> state = model.State;
        writer.Write((uint)state.Count);
        foreach ((string tensorName, Tensor value) in state)
        {
            WriteString(writer, tensorName);
            writer.Write((byte)value.Rank);
            foreach (int size in value.Shape)
            {
                writer.Write(size);
            }
            foreach (float x in value.Data)
            {
                writer.Write(x);
            }
        }
        writer.Flush();
        return buffer.ToArray();
    }

    private static void WriteString(BinaryWriter writer, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        writer.Write(checked((ushort)bytes.Length));
        writer.Write(bytes);
    }

    private static SavedModel ReadPayload(PayloadReader reader, string name)
    {
        uint descriptionLength = reader.UInt32("description length");
        if (descriptionLength > MaxDescription)
        {
            throw new InvalidDataException($"{name}: a description of {descriptionLength} bytes is more than a model file holds: the file is damaged");
        }
        ReadOnlyMemory<byte> description = reader.Bytes((int)descriptionLength, "description");
        Sequential model;
        ModelInput? input;
        Dictionary<string, string> metadata;
        try
        {
            using JsonDocument document = JsonDocument.Parse(description);
            JsonElement root = document.RootElement;
            model = new Sequential(ReadLayers(Property(root, "layers", JsonValueKind.Array), name, reader.Remaining));
            input = root.TryGetProperty("input", out JsonElement inputElement) ? ReadInput(inputElement) : null;
            metadata = Property(root, "metadata", JsonValueKind.Object).EnumerateObject()
                .ToDictionary(entry => entry.Name, entry => entry.Value.GetString() ?? throw new InvalidDataException($"metadata {entry.Name} is not text"));
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new InvalidDataException($"{name}: the model description is damaged: {error.Message}", error);
        }
        catch (InvalidDataException error) when (!error.Message.StartsWith(name + ":", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{name}: {error.Message}", error);
        }

        Dictionary<string, Tensor> state = model.State.ToDictionary(entry => entry.Name, entry => entry.Value);
        uint tensorCount = reader.UInt32("tensor count");
        if (tensorCount != state.Count)
        {
            throw new InvalidDataException($"{name}: holds {tensorCount} tensors, but its architecture {model} has {state.Count}");
        }
        for (int i = 0; i < tensorCount; i++)
        {
            string tensorName = reader.String("tensor name");
            if (!state.Remove(tensorName, out Tensor? target))
            {
                throw new InvalidDataException($"{name}: holds a tensor \"{tensorName}\" that its architecture has not, or holds it twice");
            }
            reader.Tensor(target, tensorName);
        }
        reader.RequireEnd();
        return new SavedModel(model, input, metadata);
    }

    /// <summary>The layers the description lists, built only while the weights they claim fit in <paramref name="bytesLeft"/>.</summary>
    private static List<ILayer> ReadLayers(JsonElement layers, string name, int bytesLeft)
    {
        var result = new List<ILayer>();
        double claimed = 0;
        foreach (JsonElement layer in layers.EnumerateArray())
        {
            if (layer.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"layer {result.Count}: not an object");
            }
            string type = Property(layer, "type", JsonValueKind.String).GetString()!;
            var arguments = new List<(string, object)>();
            foreach (JsonProperty argument in layer.EnumerateObject().Where(p => p.Name != "type"))
            {
                arguments.Add((argument.Name, argument.Value.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Number => argument.Value.GetDouble(),
                    _ => throw new InvalidDataException($"layer {result.Count} ({type}): {argument.Name} is neither a number nor true/false"),
                }));
            }
            try
            {
                var spec = new LayerSpec(type, arguments);
                claimed += LayerRegistry.StoredValues(spec) ?? 0;
                if (claimed * 4 > bytesLeft)
                {
                    throw new InvalidDataException($"{spec} brings the architecture to {claimed:N0} weights, more than the {bytesLeft:N0} bytes left in the file can hold: the file is damaged");
                }
                result.Add(LayerRegistry.Create(spec));
            }
            catch (InvalidDataException error)
            {
                throw new InvalidDataException($"{name}: layer {result.Count}: {error.Message}", error);
            }
        }
        if (result.Count == 0)
        {
            throw new InvalidDataException("it has no layers");
        }
        return result;
    }

    private static ModelInput ReadInput(JsonElement input)
    {
        string scalingText = Property(input, "scaling", JsonValueKind.String).GetString()!;
        if (!Enum.TryParse(scalingText, out PixelScaling scaling) || !Enum.IsDefined(scaling))
        {
            throw new InvalidDataException($"unknown pixel scaling \"{scalingText}\"");
        }
        int[] shape = Property(input, "shape", JsonValueKind.Array).EnumerateArray().Select(size => size.GetInt32()).ToArray();
        if (shape.Length == 0 || shape.Any(size => size <= 0))
        {
            throw new InvalidDataException($"input shape ({string.Join(", ", shape)}) is not a shape");
        }
        string[] classes = Property(input, "classNames", JsonValueKind.Array).EnumerateArray().Select(c => c.GetString() ?? "").ToArray();
        return new ModelInput(scaling, shape, classes, Property(input, "dataset", JsonValueKind.String).GetString()!);
    }

    private static JsonElement Property(JsonElement element, string property, JsonValueKind kind) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out JsonElement value) && value.ValueKind == kind
            ? value
            : throw new InvalidDataException($"\"{property}\" is missing or not {(kind == JsonValueKind.Array ? "a list" : kind == JsonValueKind.Object ? "an object" : "text")}");
}
