using System.Runtime.Intrinsics.X86;

namespace NotebookNet.Tensors;

/// <summary>Asking memory for data before it is read.</summary>
internal static unsafe class Memory
{
    /// <summary>
    /// Asks the processor to bring <paramref name="length"/> floats from <paramref name="start"/> into its caches, one
    /// request per 64-byte line, for data it cannot guess will be read next (rows a row's length apart, a shuffled batch's
    /// examples); a processor without SSE is not asked.
    /// </summary>
    public static void Prefetch(float* start, int length)
    {
        if (!Sse.IsSupported)
        {
            return;
        }
        for (int p = 0; p < length; p += 16)
        {
            Sse.Prefetch0(start + p);
        }
    }
}
