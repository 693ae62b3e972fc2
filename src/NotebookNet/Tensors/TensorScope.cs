namespace NotebookNet.Tensors;

/// <summary>
/// Memory reuse for loops that make the same tensors every step. Inside a scope, each <c>new Tensor(shape)</c>
/// on this thread takes the buffer that the tensor made at the same point after the previous <see cref="Reset"/>
/// had, zeroed, instead of fresh memory; so every tensor made inside the scope is valid only until the next
/// <see cref="Reset"/>. The training loop and evaluation use it; notebooks need not.
/// </summary>
/// <remarks>
/// Why: a fresh large array costs a page fault per 4 KiB the first time it is written, about as much as the
/// arithmetic on it for a 10,000-image batch; and the arrays a convolutional network's batch needs are large objects,
/// which the garbage collector frees only in its rare full collections, so making them afresh for every epoch or
/// evaluation piled them up (notebook 09's kernel grew to 1.4 GB while training bn-cnn, about 130 MB an epoch; with one
/// scope for the whole run it stayed at 840 MB). Each point of a loop keeps a buffer for each of two lengths, so a last,
/// smaller batch does not throw away the full batch's buffers.
/// </remarks>
public sealed class TensorScope : IDisposable
{
    /// <summary>Lengths kept per point of the loop: the full batch's and a last, smaller batch's.</summary>
    private const int LengthsPerPoint = 2;

    [ThreadStatic]
    private static TensorScope? t_current;

    private readonly List<List<float[]>> _points = [];
    private TensorScope? _outer;
    private bool _open;
    private int _next;

    private TensorScope()
    {
    }

    /// <summary>Opens a scope on this thread; dispose it to stop reusing.</summary>
    public static TensorScope Begin() => new TensorScope().Open();

    /// <summary>
    /// Opens the scope <paramref name="kept"/> holds again, with the buffers it had, or a new one that it then holds —
    /// weakly, so the garbage collector may still take the buffers between uses; while the kept one is open, a scope of
    /// its own. Only for loops none of whose tensors outlive the scope: the next use hands the same buffers out again.
    /// </summary>
    internal static TensorScope Reopen(ref WeakReference<TensorScope>? kept)
    {
        if (kept is not null && kept.TryGetTarget(out TensorScope? scope))
        {
            if (scope._open)
            {
                return Begin();   // in use further up this thread: a scope of its own
            }
            scope._next = 0;
            return scope.Open();
        }
        scope = Begin();
        kept = new WeakReference<TensorScope>(scope);
        return scope;
    }

    private TensorScope Open()
    {
        _outer = t_current;
        _open = true;
        return t_current = this;
    }

    /// <summary>Makes the buffers handed out since the last reset available again, in the same order.</summary>
    public void Reset() => _next = 0;

    /// <inheritdoc/>
    public void Dispose()
    {
        if (t_current == this)
        {
            t_current = _outer;
        }
        _outer = null;
        _open = false;
    }

    /// <summary>A buffer of <paramref name="length"/> floats: zeroed, or when <paramref name="zeroed"/> is false and the scope reuses one, as it was left.</summary>
    internal static float[] Allocate(int length, bool zeroed = true)
    {
        TensorScope? scope = t_current;
        if (scope is null || length < 1024)
        {
            if (length >= LargeGarbage.LargeFloats)
            {
                // A large array outside a scope, such as a batch in a training loop of the reader's own: its dead
                // predecessors are freed only by a full collection.
                LargeGarbage.Collect();
            }
            return new float[length];
        }
        if (scope._next == scope._points.Count)
        {
            scope._points.Add([]);
        }
        List<float[]> point = scope._points[scope._next++];
        foreach (float[] kept in point)
        {
            if (kept.Length == length)
            {
                if (zeroed)
                {
                    Array.Clear(kept);
                }
                return kept;
            }
        }
        if (point.Count == LengthsPerPoint)
        {
            point.RemoveAt(0);
        }
        var buffer = new float[length];
        point.Add(buffer);
        return buffer;
    }
}
