namespace NotebookNet.Tensors;

/// <summary>
/// Memory reuse for loops that make the same tensors every step. Inside a scope, each <c>new Tensor(shape)</c>
/// on this thread takes the buffer that the tensor made at the same point after the previous <see cref="Reset"/>
/// had, zeroed, instead of fresh memory; so every tensor made inside the scope is valid only until the next
/// <see cref="Reset"/>. The training loop and evaluation use it; notebooks need not.
/// </summary>
/// <remarks>
/// Why: a fresh large array costs a page fault per 4 KiB the first time it is written, about as much as the
/// arithmetic on it for a 10,000-image batch. Reused buffers stay resident.
/// </remarks>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic]
    private static TensorScope? t_current;

    private readonly List<float[]> _buffers = [];
    private readonly TensorScope? _outer;
    private int _next;

    private TensorScope(TensorScope? outer) => _outer = outer;

    /// <summary>Opens a scope on this thread; dispose it to stop reusing.</summary>
    public static TensorScope Begin() => t_current = new TensorScope(t_current);

    /// <summary>Makes the buffers handed out since the last reset available again, in the same order.</summary>
    public void Reset() => _next = 0;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (t_current == this)
        {
            t_current = _outer;
        }
    }

    /// <summary>A buffer of <paramref name="length"/> floats: zeroed, or when <paramref name="zeroed"/> is false and the scope reuses one, as it was left.</summary>
    internal static float[] Allocate(int length, bool zeroed = true)
    {
        TensorScope? scope = t_current;
        if (scope is null || length < 1024)
        {
            return new float[length];
        }
        if (scope._next == scope._buffers.Count)
        {
            scope._buffers.Add(new float[length]);
            return scope._buffers[scope._next++];
        }
        float[] buffer = scope._buffers[scope._next];
        if (buffer.Length != length)
        {
            buffer = scope._buffers[scope._next] = new float[length];
        }
        else if (zeroed)
        {
            Array.Clear(buffer);
        }
        scope._next++;
        return buffer;
    }
}
