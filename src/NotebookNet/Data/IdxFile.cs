using System.Buffers.Binary;
using System.IO.Compression;

namespace NotebookNet.Data;

/// <summary>
/// The contents of an IDX file: its dimensions and its unsigned bytes, row-major.
/// </summary>
public sealed record IdxData(int[] Dimensions, byte[] Values)
{
    /// <summary>The number of items (the first dimension).</summary>
    public int Count => Dimensions[0];
}

/// <summary>
/// Reads IDX files, the format of MNIST: two zero bytes, a type byte (0x08 = unsigned byte), a dimension
/// count, each dimension as a big-endian int32, then the values. Gzipped files are recognised by their
/// first bytes, whatever their name. Every problem is reported with the file's name. Introduced in notebook 01.
/// </summary>
public static class IdxFile
{
    private const int MaxBytes = int.MaxValue / 2;

    /// <summary>Reads an IDX file, raw or gzipped.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a well-formed unsigned-byte IDX file.</exception>
    public static IdxData Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        return Parse(ReadDecompressed(path), Path.GetFileName(path));
    }

    /// <summary>The bytes of a file, gunzipped when it starts with the gzip magic 1f 8b.</summary>
    /// <exception cref="InvalidDataException">The gzip stream is damaged or truncated.</exception>
    public static byte[] ReadDecompressed(string path)
    {
        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b)
        {
            return raw;
        }
        try
        {
            using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var output = new MemoryStream(raw.Length * 4);
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (Exception error) when (error is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: the gzip data is damaged or truncated ({error.Message})", error);
        }
    }

    /// <summary>Parses the bytes of an IDX file; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed unsigned-byte IDX file.</exception>
    public static IdxData Parse(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.Length < 4)
        {
            throw new InvalidDataException($"{name}: {bytes.Length} bytes is too short for an IDX header (4 bytes of magic number)");
        }
        if (bytes[0] != 0 || bytes[1] != 0)
        {
            throw new InvalidDataException(
                $"{name}: not an IDX file: the magic number starts {bytes[0]:x2} {bytes[1]:x2}, expected 00 00 (is it still compressed, or another format?)");
        }
        if (bytes[2] != 0x08)
        {
            throw new InvalidDataException($"{name}: IDX value type 0x{bytes[2]:x2} is not supported, expected 0x08 (unsigned byte)");
        }
        int rank = bytes[3];
        if (rank is < 1 or > 4)
        {
            throw new InvalidDataException($"{name}: IDX header gives {rank} dimensions, expected 1 to 4");
        }
        int headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
        {
            throw new InvalidDataException($"{name}: truncated header: {rank} dimensions need {headerLength} bytes, the file has {bytes.Length}");
        }
        var dimensions = new int[rank];
        long expected = 1;
        for (int i = 0; i < rank; i++)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(bytes.Slice(4 + 4 * i, 4));
            if (size <= 0)
            {
                throw new InvalidDataException($"{name}: dimension {i} is {size}, expected a positive size");
            }
            dimensions[i] = size;
            expected *= size;
            if (expected > MaxBytes)
            {
                throw new InvalidDataException($"{name}: dimensions ({string.Join(", ", dimensions.Take(i + 1))}) are larger than any IDX file this reader accepts");
            }
        }
        long found = bytes.Length - headerLength;
        if (found != expected)
        {
            string problem = found < expected ? "truncated" : "has trailing bytes";
            throw new InvalidDataException(
                $"{name}: {problem}: dimensions ({string.Join(", ", dimensions)}) need {expected} bytes of values after the header, found {found}");
        }
        return new IdxData(dimensions, bytes[headerLength..].ToArray());
    }

    /// <summary>Writes an unsigned-byte IDX file (gzipped when the path ends in .gz): test fixtures and exports.</summary>
    public static void Write(string path, int[] dimensions, ReadOnlySpan<byte> values)
    {
        long expected = dimensions.Aggregate(1L, (product, size) => product * size);
        if (expected != values.Length)
        {
            throw new ArgumentException($"dimensions ({string.Join(", ", dimensions)}) need {expected} values, got {values.Length}");
        }
        using var buffer = new MemoryStream();
        buffer.Write([0, 0, 0x08, (byte)dimensions.Length]);
        Span<byte> size = stackalloc byte[4];
        foreach (int dimension in dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(size, dimension);
            buffer.Write(size);
        }
        buffer.Write(values);
        using FileStream file = File.Create(path);
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gzip = new GZipStream(file, CompressionLevel.Optimal);
            buffer.WriteTo(gzip);
        }
        else
        {
            buffer.WriteTo(file);
        }
    }
}
