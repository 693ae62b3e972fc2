using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NotebookNet.Activations;
using NotebookNet.Layers;
using NotebookNet.Tensors;

namespace NotebookNet.Serialization;

/// <summary>A model read from a file, with the metadata saved beside it (such as the pixel scaling it expects).</summary>
public sealed record SavedModel(Sequential Model, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// The model file format (<c>.nnw</c>), little-endian:
/// <code>
/// magic "NNWT" | version u32 | payload length u64 | payload | SHA-256 of the payload (32 bytes)
/// payload: layer count u32, per layer: type (u16 length + UTF-8), argument count u16, arguments f64…
///          metadata count u32, per entry: key, value (u16 length + UTF-8)
///          tensor count u32, per tensor: rank u8, dimensions i32…, values f32…
/// </code>
/// Any damage — a truncation, a flipped byte, another version, another architecture — fails with an
/// <see cref="InvalidDataException"/> that names the file and the problem. Introduced in notebook 04.
/// </summary>
public static class ModelFile
{
    /// <summary>The format version this library writes and reads.</summary>
    public const uint Version = 1;

    private static ReadOnlySpan<byte> Magic => "NNWT"u8;
    private const int HeaderLength = 16;
    private const int HashLength = 32;
    private const long MaxPayload = 1L << 31;

    /// <summary>Writes <paramref name="model"/> to <paramref name="stream"/>.</summary>
    public static void Save(Sequential model, Stream stream, IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[] payload = WritePayload(model, metadata ?? new Dictionary<string, string>());
        Span<byte> header = stackalloc byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], (ulong)payload.Length);
        stream.Write(header);
        stream.Write(payload);
        stream.Write(SHA256.HashData(payload));
    }

    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/> atomically: to a temporary file beside it,
    /// flushed to disk, then renamed over the target, so a crash never leaves half a model.
    /// </summary>
    public static void Save(Sequential model, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        string fullPath = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        string temporary = $"{fullPath}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                Save(model, file, metadata);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
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
        Span<byte> header = stackalloc byte[HeaderLength];
        int headerRead = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        if (headerRead < 4 || !header[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{name}: not a NotebookNet model file (it does not start with \"NNWT\")");
        }
        if (headerRead < HeaderLength)
        {
            throw new InvalidDataException($"{name}: truncated: the header needs {HeaderLength} bytes, the file has {headerRead}");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (version != Version)
        {
            throw new InvalidDataException($"{name}: unsupported version {version}, expected {Version} (written by another NotebookNet release)");
        }
        ulong payloadLength = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        if (payloadLength > MaxPayload)
        {
            throw new InvalidDataException($"{name}: the header gives a payload of {payloadLength} bytes, more than a model file holds: the file is damaged");
        }
        var body = new byte[(int)payloadLength + HashLength];
        int bodyRead = stream.ReadAtLeast(body, body.Length, throwOnEndOfStream: false);
        if (bodyRead < body.Length)
        {
            throw new InvalidDataException($"{name}: truncated: expected {HeaderLength + body.Length} bytes, found {HeaderLength + bodyRead}");
        }
        if (stream.ReadByte() != -1)
        {
            throw new InvalidDataException($"{name}: has bytes after the end of the model: the file is damaged");
        }
        ReadOnlySpan<byte> payload = body.AsSpan(0, (int)payloadLength);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(body.AsSpan((int)payloadLength)))
        {
            throw new InvalidDataException($"{name}: checksum mismatch: the file is damaged (a changed byte); retrain or restore a copy");
        }
        return ReadPayload(body.AsMemory(0, (int)payloadLength), name);
    }

    /// <summary>
    /// Copies the weights of the file at <paramref name="path"/> into <paramref name="model"/>, which must have the
    /// same architecture.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is damaged or holds another architecture.</exception>
    public static IReadOnlyDictionary<string, string> LoadInto(Sequential model, string path)
    {
        SavedModel saved = Load(path);
        string name = Path.GetFileName(path);
        IReadOnlyList<LayerSpec> expected = model.Architecture, found = saved.Model.Architecture;
        if (expected.Count != found.Count || expected.Zip(found).Any(pair => !pair.First.Matches(pair.Second)))
        {
            throw new InvalidDataException($"{name}: holds the architecture {saved.Model}, but this model is {model}");
        }
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            saved.Model.Parameters[i].Value.Span.CopyTo(model.Parameters[i].Value.Span);
        }
        return saved.Metadata;
    }

    /// <summary>Rebuilds a layer from its spec.</summary>
    /// <exception cref="InvalidDataException">The type is unknown or its arguments are wrong.</exception>
    public static ILayer CreateLayer(LayerSpec spec)
    {
        IReadOnlyList<double> a = spec.Arguments;
        int Int(int i) => a[i] == Math.Floor(a[i]) && a[i] is >= 0 and <= int.MaxValue
            ? (int)a[i]
            : throw new InvalidDataException($"{spec}: argument {i} must be a whole number");
        void Expect(int count)
        {
            if (a.Count != count)
            {
                throw new InvalidDataException($"{spec}: expected {count} arguments, found {a.Count}");
            }
        }
        switch (spec.Type)
        {
            case "Linear":
                Expect(3);
                if (Int(0) == 0 || Int(1) == 0)
                {
                    throw new InvalidDataException($"{spec}: sizes must be positive");
                }
                return new Linear(Int(0), Int(1), bias: Int(2) != 0, init: Init.Zeros);
            case "Conv2d":
                Expect(6);
                if (Int(0) == 0 || Int(1) == 0 || Int(2) == 0 || Int(3) == 0)
                {
                    throw new InvalidDataException($"{spec}: sizes must be positive");
                }
                return new Conv2d(Int(0), Int(1), Int(2), Int(3), Int(4), bias: Int(5) != 0, init: Init.Zeros);
            case "MaxPool2d":
                Expect(2);
                if (Int(0) == 0 || Int(1) == 0)
                {
                    throw new InvalidDataException($"{spec}: sizes must be positive");
                }
                return new MaxPool2d(Int(0), Int(1));
            case "Dropout":
                Expect(1);
                if (!(a[0] is >= 0 and < 1))
                {
                    throw new InvalidDataException($"{spec}: the probability must be in [0, 1)");
                }
                return new Dropout((float)a[0]);
            case nameof(ReLU): Expect(0); return new ReLU();
            case nameof(Sigmoid): Expect(0); return new Sigmoid();
            case nameof(Tanh): Expect(0); return new Tanh();
            case nameof(Softmax): Expect(0); return new Softmax();
            case nameof(Flatten): Expect(0); return new Flatten();
            default:
                throw new InvalidDataException($"unknown layer type \"{spec.Type}\"");
        }
    }

    private static byte[] WritePayload(Sequential model, IReadOnlyDictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        writer.Write((uint)model.Layers.Count);
        foreach (ILayer layer in model.Layers)
        {
            LayerSpec spec = layer.Spec;
            WriteString(writer, spec.Type);
            writer.Write((ushort)spec.Arguments.Count);
            foreach (double argument in spec.Arguments)
            {
                writer.Write(argument);
            }
        }
        writer.Write((uint)metadata.Count);
        foreach ((string key, string value) in metadata.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            WriteString(writer, key);
            WriteString(writer, value);
        }
        writer.Write((uint)model.Parameters.Count);
        foreach (Parameter parameter in model.Parameters)
        {
            Tensor value = parameter.Value;
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

    private static SavedModel ReadPayload(ReadOnlyMemory<byte> payload, string name)
    {
        var reader = new PayloadReader(payload, name);
        uint layerCount = reader.UInt32("layer count");
        if (layerCount is 0 or > 10_000)
        {
            throw new InvalidDataException($"{name}: {layerCount} layers is not a valid model");
        }
        var layers = new List<ILayer>();
        for (int i = 0; i < layerCount; i++)
        {
            string type = reader.String("layer type");
            int argumentCount = reader.UInt16("argument count");
            var arguments = new double[argumentCount];
            for (int j = 0; j < argumentCount; j++)
            {
                arguments[j] = reader.Double("layer argument");
            }
            try
            {
                layers.Add(CreateLayer(new LayerSpec(type, arguments)));
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
            int rank = reader.Byte("tensor rank");
            var shape = new int[rank];
            for (int d = 0; d < rank; d++)
            {
                shape[d] = reader.Int32("tensor dimension");
            }
            if (!parameter.Value.Shape.SequenceEqual(shape))
            {
                throw new InvalidDataException(
                    $"{name}: tensor {parameter.Name} has shape {Tensor.FormatShape(shape)}, its layer needs {parameter.Value.ShapeText}");
            }
            reader.Floats(parameter.Value.Span, parameter.Name);
        }
        reader.RequireEnd();
        return new SavedModel(model, metadata);
    }

    private sealed class PayloadReader(ReadOnlyMemory<byte> payload, string name)
    {
        private int _offset;

        public byte Byte(string what) => Take(1, what)[0];

        public ushort UInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));

        public uint UInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

        public int Int32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));

        public double Double(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

        public string String(string what) => Encoding.UTF8.GetString(Take(UInt16(what + " length"), what));

        public void Floats(Span<float> destination, string what)
        {
            ReadOnlySpan<byte> bytes = Take(checked(destination.Length * 4), what);
            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
            }
        }

        public void RequireEnd()
        {
            if (_offset != payload.Length)
            {
                throw new InvalidDataException($"{name}: {payload.Length - _offset} unexpected bytes after the last tensor");
            }
        }

        private ReadOnlySpan<byte> Take(int count, string what)
        {
            if (count > payload.Length - _offset)
            {
                throw new InvalidDataException($"{name}: the payload ends inside the {what} at byte {_offset}: the file is damaged");
            }
            ReadOnlySpan<byte> span = payload.Span.Slice(_offset, count);
            _offset += count;
            return span;
        }
    }
}
