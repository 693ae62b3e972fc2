namespace NotebookNet.Preprocessing;

/// <summary>
/// Full collections for code that makes large pictures and throws them away at once, as the preprocessing does (a
/// 280×280 sheet and each image made from it are large objects). The garbage collector frees large objects only in full
/// collections, which a process with memory to spare runs rarely: notebook 07, reading 2,000 digits enlarged on sheets,
/// took its kernel from 730 MB to 1.5 GB, most of it such pictures already dead; with a collection every 64 MB the
/// whole notebook peaked at 811 MB (<c>notebooks/run-all.sh</c>, held to AVX2).
/// </summary>
internal static class LargeGarbage
{
    /// <summary>Bytes a thread allocates between two collections.</summary>
    private const long Every = 64L << 20;

    [ThreadStatic]
    private static long t_collectedAt;

    /// <summary>A full collection if this thread has allocated <see cref="Every"/> bytes since the last one here.</summary>
    public static void Collect()
    {
        if (GC.GetAllocatedBytesForCurrentThread() - t_collectedAt >= Every)
        {
            GC.Collect();
            t_collectedAt = GC.GetAllocatedBytesForCurrentThread();
        }
    }
}
