using System.Text;

namespace NotebookNet.Tensors;

/// <summary>
/// A float32 tensor: a shape and one contiguous row-major <see cref="Data"/> array.
/// Images travel as (N, features) or NCHW (N, C, H, W). Introduced in notebook 02.
/// </summary>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>Creates a tensor of zeros with the given shape.</summary>
    /// <remarks>
    /// Inside a <see cref="TensorScope"/> (the training loop and evaluation open one), a tensor of 1,024 values or more
    /// takes a buffer that the scope hands out again, zeroed, after its next <see cref="TensorScope.Reset"/>: such a
    /// tensor is valid only until then. Copy it (<see cref="Clone"/>) to keep it. Outside a scope — in notebooks, unless
    /// they open one — every tensor has memory of its own.
    /// </remarks>
    public Tensor(params int[] shape)
        : this(TensorScope.Allocate(CheckedLength(shape)), shape)
    {
    }

    /// <summary>
    /// A tensor whose every value the caller is about to write: inside a <see cref="TensorScope"/> its reused buffer is
    /// not zeroed first (clearing the buffers of a training step took a tenth of a small CNN's epoch). Outside a scope it
    /// is zeros, as <c>new Tensor(shape)</c> is.
    /// </summary>
    internal static Tensor ForOverwrite(params int[] shape) => new(TensorScope.Allocate(CheckedLength(shape), zeroed: false), shape);

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of the given shape.</summary>
    /// <exception cref="ArgumentException">The data length is not the product of the shape.</exception>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        long length = CheckedLength(shape);
        if (data.Length != length)
        {
            throw new ArgumentException(
                $"shape {FormatShape(shape)} holds {length} values but the data has {data.Length}", nameof(data));
        }
        _shape = (int[])shape.Clone();
        Data = data;
    }

    /// <summary>The values, row-major (the last dimension varies fastest).</summary>
    public float[] Data { get; }

    /// <summary>The size of each dimension.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of values.</summary>
    public int Length => Data.Length;

    /// <summary>The size of dimension <paramref name="dimension"/>; negative counts from the end.</summary>
    public int Size(int dimension) => _shape[dimension < 0 ? _shape.Length + dimension : dimension];

    /// <summary>The index of the largest value of each row of a (N, C) tensor: the predicted class of each example.</summary>
    public int[] ArgMaxRows()
    {
        int n = Size(0);
        var result = new int[n];
        // Each row's answer is its own: a large batch's rows are shared between the cores.
        EachPart.Run(n, (first, count) =>
        {
            for (int i = first; i < first + count; i++)
            {
                result[i] = TensorPrimitives.IndexOfMax<float>(Row(i));
            }
        }, partLength: 2048);
        return result;
    }

    /// <summary>The values as a span.</summary>
    public Span<float> Span => Data;

    /// <summary>Element (i) of a 1-D tensor.</summary>
    public float this[int i]
    {
        get => Data[i];
        set => Data[i] = value;
    }

    /// <summary>Element (i, j) of a 2-D tensor.</summary>
    public float this[int i, int j]
    {
        get => Data[Offset(i, j)];
        set => Data[Offset(i, j)] = value;
    }

    /// <summary>Element (n, c, h, w) of a 4-D tensor.</summary>
    public float this[int n, int c, int h, int w]
    {
        get => Data[(((n * _shape[1]) + c) * _shape[2] + h) * _shape[3] + w];
        set => Data[(((n * _shape[1]) + c) * _shape[2] + h) * _shape[3] + w] = value;
    }

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => new(shape);

    /// <summary>A tensor filled with <paramref name="value"/>.</summary>
    public static Tensor Full(float value, params int[] shape)
    {
        var tensor = new Tensor(shape);
        tensor.Data.AsSpan().Fill(value);
        return tensor;
    }

    /// <summary>A tensor of N(<paramref name="mean"/>, <paramref name="standardDeviation"/>²) samples.</summary>
    public static Tensor RandomNormal(Rng rng, float mean, float standardDeviation, params int[] shape)
    {
        var tensor = new Tensor(shape);
        for (int i = 0; i < tensor.Length; i++)
        {
            tensor.Data[i] = mean + standardDeviation * rng.NextNormal();
        }
        return tensor;
    }

    /// <summary>A tensor of uniform samples in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor RandomUniform(Rng rng, float low, float high, params int[] shape)
    {
        var tensor = new Tensor(shape);
        for (int i = 0; i < tensor.Length; i++)
        {
            tensor.Data[i] = rng.NextFloat(low, high);
        }
        return tensor;
    }

    /// <summary>A 2-D tensor copied from a C# rectangular array.</summary>
    public static Tensor FromArray(float[,] values)
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var tensor = new Tensor(rows, columns);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                tensor.Data[i * columns + j] = values[i, j];
            }
        }
        return tensor;
    }

    /// <summary>A 1-D tensor copied from <paramref name="values"/>.</summary>
    public static Tensor FromArray(params float[] values) => new((float[])values.Clone(), values.Length);

    /// <summary>
    /// The same data seen with another shape (no copy). One dimension may be -1 and is inferred.
    /// </summary>
    /// <exception cref="ArgumentException">The new shape does not hold the same number of values.</exception>
    public Tensor Reshape(params int[] shape)
    {
        int[] resolved = (int[])shape.Clone();
        int inferred = Array.IndexOf(resolved, -1);
        if (inferred >= 0)
        {
            long known = 1;
            for (int i = 0; i < resolved.Length; i++)
            {
                if (i != inferred)
                {
                    known *= resolved[i];
                }
            }
            if (known == 0 || Length % known != 0)
            {
                throw new ArgumentException($"cannot reshape {FormatShape(_shape)} to {FormatShape(shape)}", nameof(shape));
            }
            resolved[inferred] = (int)(Length / known);
        }
        if (CheckedLength(resolved) != Length)
        {
            throw new ArgumentException($"cannot reshape {FormatShape(_shape)} ({Length} values) to {FormatShape(shape)}", nameof(shape));
        }
        return new Tensor(Data, resolved);
    }

    /// <summary>A deep copy.</summary>
    public Tensor Clone() => new((float[])Data.Clone(), _shape);

    /// <summary>Row <paramref name="i"/> of a 2-D tensor, as a span over the same data.</summary>
    public Span<float> Row(int i)
    {
        RequireRank(2);
        return Data.AsSpan(i * _shape[1], _shape[1]);
    }

    /// <summary>The 2-D transpose (a copy): (rows, columns) -> (columns, rows).</summary>
    public Tensor Transpose()
    {
        RequireRank(2);
        int rows = _shape[0], columns = _shape[1];
        var result = new Tensor(columns, rows);
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                result.Data[j * rows + i] = Data[i * columns + j];
            }
        }
        return result;
    }

    /// <summary>Throws unless the tensor has exactly this shape; <paramref name="what"/> names it in the message.</summary>
    /// <exception cref="ArgumentException">The shape differs.</exception>
    public void RequireShape(string what, params int[] expected)
    {
        if (!_shape.AsSpan().SequenceEqual(expected))
        {
            throw new ArgumentException($"{what}: expected shape {FormatShape(expected)}, got {FormatShape(_shape)}");
        }
    }

    /// <summary>
    /// <see cref="RequireShape(string, int[])"/> with the name made only when the shape is wrong: for a layer's
    /// description, which takes longer to write than the check (it was 1 % of a small CNN's training step).
    /// </summary>
    /// <exception cref="ArgumentException">The shape differs.</exception>
    public void RequireShape(Func<string> what, params int[] expected)
    {
        if (!_shape.AsSpan().SequenceEqual(expected))
        {
            RequireShape(what(), expected);
        }
    }

    /// <summary>True when both tensors have the same shape.</summary>
    public bool SameShape(Tensor other) => _shape.AsSpan().SequenceEqual(other._shape);

    /// <summary>The shape as text, e.g. <c>(64, 784)</c>.</summary>
    public string ShapeText => FormatShape(_shape);

    /// <summary>Formats a shape as <c>(a, b, c)</c>.</summary>
    public static string FormatShape(ReadOnlySpan<int> shape)
    {
        var text = new StringBuilder("(");
        for (int i = 0; i < shape.Length; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(shape[i]);
        }
        return text.Append(shape.Length == 1 ? ",)" : ")").ToString();
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = new StringBuilder($"Tensor{ShapeText} [");
        int shown = Math.Min(Length, 8);
        for (int i = 0; i < shown; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(Data[i].ToString("G4", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.Append(Length > shown ? ", …]" : "]").ToString();
    }

    private int Offset(int i, int j)
    {
        RequireRank(2);
        return i * _shape[1] + j;
    }

    private void RequireRank(int rank)
    {
        if (_shape.Length != rank)
        {
            throw new InvalidOperationException($"expected a {rank}-D tensor, this one has shape {ShapeText}");
        }
    }

    internal static int CheckedLength(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long length = 1;
        foreach (int size in shape)
        {
            if (size < 0)
            {
                throw new ArgumentException($"shape {FormatShape(shape)} has a negative dimension", nameof(shape));
            }
            length *= size;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException($"shape {FormatShape(shape)} is too large for one array", nameof(shape));
            }
        }
        return (int)length;
    }
}
