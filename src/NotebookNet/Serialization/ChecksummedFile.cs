using System.Buffers.Binary;
using System.Security.Cryptography;

namespace NotebookNet.Serialization;

/// <summary>
/// The frame around NotebookNet's binary files, model files and training checkpoints alike, little-endian:
/// <code>magic (4 bytes) | version u32 | payload length u64 | payload | SHA-256 of the payload (32 bytes)</code>
/// Reading checks each part before the next and refuses a damaged file with a message that names it: another magic,
/// another version, a length beyond the limit (before anything is allocated for it), a truncation, trailing bytes or
/// a changed byte.
/// </summary>
internal static class ChecksummedFile
{
    private const int HeaderLength = 16;
    private const int HashLength = 32;

    /// <summary>Writes <paramref name="payload"/> framed by <paramref name="magic"/> and <paramref name="version"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> magic, uint version, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], version);
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], (ulong)payload.Length);
        stream.Write(header);
        stream.Write(payload);
        stream.Write(SHA256.HashData(payload));
    }

    /// <summary>Reads a framed file and returns its version and payload.</summary>
    /// <param name="stream">The file.</param>
    /// <param name="magic">The four bytes it must start with.</param>
    /// <param name="kind">What the file is, in errors: "model file", "training checkpoint".</param>
    /// <param name="versions">The versions this library reads.</param>
    /// <param name="maxPayload">The largest payload accepted.</param>
    /// <param name="name">The file's name, in errors.</param>
    /// <param name="remedy">What to do about a changed byte, in its error.</param>
    /// <exception cref="InvalidDataException">The file is not of this kind, of another version, or damaged.</exception>
    public static (uint Version, ReadOnlyMemory<byte> Payload) Read(Stream stream, ReadOnlySpan<byte> magic, string kind,
        IReadOnlyCollection<uint> versions, long maxPayload, string name, string remedy)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        int headerRead = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        if (headerRead < 4 || !header[..4].SequenceEqual(magic))
        {
            throw new InvalidDataException($"{name}: not a NotebookNet {kind} (it does not start with \"{System.Text.Encoding.ASCII.GetString(magic)}\")");
        }
        if (headerRead < HeaderLength)
        {
            throw new InvalidDataException($"{name}: truncated: the header needs {HeaderLength} bytes, the file has {headerRead}");
        }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        if (!versions.Contains(version))
        {
            throw new InvalidDataException($"{name}: unsupported version {version}, expected {string.Join(" or ", versions)} (written by another NotebookNet release)");
        }
        ulong payloadLength = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
        if (payloadLength > (ulong)maxPayload)
        {
            throw new InvalidDataException($"{name}: the header gives a payload of {payloadLength} bytes, more than a {kind} holds: the file is damaged");
        }
        // Read what is there, up to the length claimed: a header that claims gigabytes allocates nothing for the claim.
        byte[] body = ReadUpTo(stream, (long)payloadLength + HashLength);
        if (body.LongLength < (long)payloadLength + HashLength)
        {
            throw new InvalidDataException($"{name}: truncated: expected {HeaderLength + (long)payloadLength + HashLength} bytes, found {HeaderLength + body.Length}");
        }
        if (stream.ReadByte() != -1)
        {
            throw new InvalidDataException($"{name}: has bytes after the end of the {kind}: the file is damaged");
        }
        ReadOnlySpan<byte> payload = body.AsSpan(0, (int)payloadLength);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(body.AsSpan((int)payloadLength)))
        {
            throw new InvalidDataException($"{name}: checksum mismatch: the file is damaged (a changed byte); {remedy}");
        }
        return (version, body.AsMemory(0, (int)payloadLength));
    }

    private static byte[] ReadUpTo(Stream stream, long count)
    {
        using var buffer = new MemoryStream((int)Math.Min(count, 1 << 20));
        var chunk = new byte[81920];
        int read;
        while (buffer.Length < count && (read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, count - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
