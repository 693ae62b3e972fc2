namespace NotebookNet.Tensors;

/// <summary>
/// The full collections the library asks for, where it makes large arrays that die at once. The garbage collector
/// frees large objects (85,000 bytes or more) only in full collections, which a process with memory to spare runs
/// rarely, and keeps the memory they free; so large garbage piled up in the long-lived processes that notebook kernels
/// are.
/// </summary>
internal static class LargeGarbage
{
    /// <summary>The fewest floats an array holds that the collector puts among the large objects (85,000 bytes).</summary>
    public const int LargeFloats = 85_000 / sizeof(float);

    /// <summary>Bytes a thread allocates between two of <see cref="Collect"/>'s collections.</summary>
    private const long Every = 64L << 20;

    [ThreadStatic]
    private static long t_collectedAt;

    /// <summary>How many collections <see cref="Collect"/> has run on this thread.</summary>
    [ThreadStatic]
    internal static int t_collections;

    /// <summary>
    /// A full collection if this thread has allocated 64 MB since the last one here: for code that makes large pictures
    /// and throws them away at once, as the preprocessing does (a 280×280 sheet and each image made from it are large
    /// objects). Notebook 07, reading 2,000 digits enlarged on sheets, took its kernel from 730 MB to 1.5 GB, most of it
    /// such pictures already dead; with this the whole notebook peaked at 811 MB (<c>notebooks/run-all.sh</c>, held to
    /// AVX2). A large tensor made outside a <see cref="TensorScope"/> calls it too: notebook 04's hand-written training
    /// loop, a new (64, 784) batch every step, grew its kernel by 157 MB in one epoch, and with this by 55 MB.
    /// </summary>
    public static void Collect()
    {
        if (GC.GetAllocatedBytesForCurrentThread() - t_collectedAt >= Every)
        {
            GC.Collect();
            t_collectedAt = GC.GetAllocatedBytesForCurrentThread();
            t_collections++;
        }
    }

    /// <summary>
    /// A full collection that compacts the large objects too and gives their free memory back to the system: for just
    /// before making a large array whose like the caller may have dropped, as <see cref="Data.MnistSplit.ToDataset"/>
    /// does. Code that converts a split once for each network it trains (188 MB of floats for MNIST's training set) left
    /// every earlier copy lying: a full <c>reproduce</c> once peaked at 3.1 GB, and notebook 08's kernel (four networks)
    /// at 2.0 GB; collecting before each large conversion, they peaked at 608 MB and 869 MB (/usr/bin/time,
    /// <c>reproduce</c> held to AVX2; <c>notebooks/run-all.sh</c>).
    /// </summary>
    public static void ReturnFreeMemory()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
