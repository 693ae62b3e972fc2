using System.Buffers;

namespace NotebookNet.Tensors;

/// <summary>
/// Runs a layer's work image by image, spread over <see cref="MatMul.MaxDegreeOfParallelism"/> threads. Each thread
/// takes the next image not yet taken, so a thread that starts late takes fewer. An image's results must have places
/// of their own (its slice of the output, its own partial gradient): then which thread computes an image changes no
/// value, and the results are the same for every thread count.
/// </summary>
internal static class EachImage
{
    /// <summary>Runs <paramref name="body"/> for images 0..count−1.</summary>
    public static void Run(int count, Action<int> body) => Run(count, 0, (n, _) => body(n));

    /// <summary>Runs <paramref name="body"/> for images 0..count−1, each thread with a buffer of at least <paramref name="bufferLength"/> floats.</summary>
    public static void Run(int count, int bufferLength, Action<int, float[]> body)
    {
        int next = -1;
        Workers.Run(Math.Min(count, MatMul.MaxDegreeOfParallelism), MatMul.MaxDegreeOfParallelism, _ => TakeImages(ref next, count, bufferLength, body));
    }

    /// <summary>One thread's share: the next image not yet taken, until none is left.</summary>
    private static void TakeImages(ref int next, int count, int bufferLength, Action<int, float[]> body)
    {
        float[] buffer = bufferLength == 0 ? [] : ArrayPool<float>.Shared.Rent(bufferLength);
        for (int n = Interlocked.Increment(ref next); n < count; n = Interlocked.Increment(ref next))
        {
            body(n, buffer);
        }
        if (bufferLength != 0)
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }
}
