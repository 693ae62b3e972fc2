using System.Buffers.Binary;
using System.Text;
using NotebookNet.Tensors;

namespace NotebookNet.Serialization;

/// <summary>Reads a model file's payload front to back; every read past the end names what was being read.</summary>
internal sealed class PayloadReader(ReadOnlyMemory<byte> payload, string name)
{
    private int _offset;

    /// <summary>The bytes not read yet.</summary>
    public int Remaining => payload.Length - _offset;

    public byte Byte(string what) => Take(1, what)[0];

    public ushort UInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));

    public uint UInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

    public int Int32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, what));

    public double Double(string what) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, what));

    public string String(string what) => Encoding.UTF8.GetString(Take(UInt16(what + " length"), what));

    /// <summary>
    /// Reads a u32 count of items of <paramref name="bytesPerItem"/> bytes or more each, refusing a count that the rest
    /// of the payload cannot hold before anything is allocated for it.
    /// </summary>
    public int Count(string what, int bytesPerItem)
    {
        uint count = UInt32(what);
        if (count > (uint)((payload.Length - _offset) / bytesPerItem))
        {
            throw new InvalidDataException($"{name}: the {what} is {count}, more than the {payload.Length - _offset} bytes left can hold: the file is damaged");
        }
        return (int)count;
    }

    /// <summary>Reads <paramref name="destination"/>'s length of f32 values into it.</summary>
    public void Floats(Span<float> destination, string what)
    {
        ReadOnlySpan<byte> bytes = Take(checked(destination.Length * 4), what);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
        }
    }

    public ReadOnlyMemory<byte> Bytes(int count, string what)
    {
        Take(count, what);
        return payload.Slice(_offset - count, count);
    }

    /// <summary>Reads a tensor's rank, shape and values into <paramref name="target"/>, whose shape it must have.</summary>
    public void Tensor(Tensor target, string tensorName)
    {
        int rank = Byte("tensor rank");
        var shape = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            shape[d] = Int32("tensor dimension");
        }
        if (!target.Shape.SequenceEqual(shape))
        {
            throw new InvalidDataException(
                $"{name}: tensor {tensorName} has shape {Tensors.Tensor.FormatShape(shape)}, its layer needs {target.ShapeText}");
        }
        Floats(target.Span, tensorName);
    }

    public void RequireEnd()
    {
        if (_offset != payload.Length)
        {
            throw new InvalidDataException($"{name}: {payload.Length - _offset} unexpected bytes after the last tensor: the file is damaged");
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
