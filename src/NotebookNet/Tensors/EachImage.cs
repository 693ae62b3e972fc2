using System.Buffers;

namespace NotebookNet.Tensors;

/// <summary>
/// Runs a layer's work image by image on <see cref="Workers"/>, up to <see cref="MatMul.MaxDegreeOfParallelism"/>
/// threads, each starting on its own share of the images and then taking what is left of the others'. An image's
/// results must have places of their own (its slice of the output, its own partial gradient): then which thread
/// computes an image changes no value, and the results are the same for every thread count.
/// </summary>
internal static class EachImage
{
    /// <summary>Runs <paramref name="body"/> for images 0..count−1.</summary>
    public static void Run(int count, Action<int> body) => Workers.Run(count, MatMul.MaxDegreeOfParallelism, body);

    /// <summary>Runs <paramref name="body"/> for images 0..count−1, each with a scratch buffer of at least <paramref name="bufferLength"/> floats.</summary>
    public static void Run(int count, int bufferLength, Action<int, float[]> body) =>
        Workers.Run(count, MatMul.MaxDegreeOfParallelism, n =>
        {
            // The pool keeps a buffer per thread at hand: renting one per image costs nothing beside the image's work.
            float[] buffer = ArrayPool<float>.Shared.Rent(bufferLength);
            body(n, buffer);
            ArrayPool<float>.Shared.Return(buffer);
        });
}
