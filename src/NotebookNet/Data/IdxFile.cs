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

    /// <summary>
    /// The bytes of an IDX file, gunzipped when it starts with the gzip magic 1f 8b. Memory stays bounded by what the
    /// data holds: the header is checked first, and no more than the size it gives (plus one byte, to notice trailing
    /// bytes) is ever read, so a small gzip that would inflate to gigabytes is cut off rather than read.
    /// </summary>
    /// <exception cref="InvalidDataException">The gzip stream is damaged or truncated, or the header is not an IDX header.</exception>
    public static byte[] ReadDecompressed(string path)
    {
        string name = Path.GetFileName(path);
        using FileStream file = File.OpenRead(path);
        Span<byte> magic = stackalloc byte[2];
        bool gzipped = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        if (!gzipped)
        {
            return ReadBounded(file, name, file.Length);
        }
        try
        {
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            return ReadBounded(gzip, name, file.Length * 4);
        }
        catch (Exception error) when (error is EndOfStreamException or IOException
            || (error is InvalidDataException && !error.Message.StartsWith(name + ":", StringComparison.Ordinal))) // the inflater's, not ours
        {
            throw new InvalidDataException($"{name}: the gzip data is damaged or truncated ({error.Message})", error);
        }
    }

    /// <summary>Reads an IDX file's header and then at most the values it announces and one byte more.</summary>
    private static byte[] ReadBounded(Stream source, string name, long sizeHint)
    {
        var header = new byte[4 + 4 * 4];
        int read = source.ReadAtLeast(header.AsSpan(0, 4), 4, throwOnEndOfStream: false);
        int rank = read == 4 ? header[3] : 0;
        if (read == 4 && rank is >= 1 and <= 4)
        {
            read += source.ReadAtLeast(header.AsSpan(4, 4 * rank), 4 * rank, throwOnEndOfStream: false);
        }
        // The header alone decides how much may follow: Parse refuses it now if it is wrong, before anything is read.
        long limit = read < 4 + 4 * rank || rank is < 1 or > 4 ? 0 : HeaderValueCount(header.AsSpan(0, read), name);
        using var buffer = new MemoryStream((int)Math.Min(read + limit + 1, Math.Max(read, Math.Min(sizeHint, MaxBytes))));
        buffer.Write(header, 0, read);
        if (limit > 0)
        {
            var chunk = new byte[81920];
            long left = limit + 1;
            int n;
            while (left > 0 && (n = source.Read(chunk, 0, (int)Math.Min(chunk.Length, left))) > 0)
            {
                buffer.Write(chunk, 0, n);
                left -= n;
            }
        }
        return buffer.ToArray();
    }

    /// <summary>The number of values a well-formed header announces; throws as <see cref="Parse"/> does for a bad one.</summary>
    private static long HeaderValueCount(ReadOnlySpan<byte> header, string name)
    {
        var (dimensions, _) = ParseHeader(header, name);
        return dimensions.Aggregate(1L, (product, size) => product * size);
    }

    /// <summary>Parses the bytes of an IDX file; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed unsigned-byte IDX file.</exception>
    public static IdxData Parse(ReadOnlySpan<byte> bytes, string name)
    {
        (int[] dimensions, int headerLength) = ParseHeader(bytes, name);
        long expected = dimensions.Aggregate(1L, (product, size) => product * size);
        long found = bytes.Length - headerLength;
        if (found != expected)
        {
            string problem = found < expected ? "truncated" : "has trailing bytes";
            throw new InvalidDataException(
                $"{name}: {problem}: dimensions ({string.Join(", ", dimensions)}) need {expected} bytes of values after the header, found {found}");
        }
        return new IdxData(dimensions, bytes[headerLength..].ToArray());
    }

    private static (int[] Dimensions, int HeaderLength) ParseHeader(ReadOnlySpan<byte> bytes, string name)
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
        return (dimensions, headerLength);
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
