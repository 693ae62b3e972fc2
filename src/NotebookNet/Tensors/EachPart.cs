namespace NotebookNet.Tensors;

/// <summary>
/// Runs an element-wise pass over a long array in parts on <see cref="Workers"/>, up to
/// <see cref="MatMul.MaxDegreeOfParallelism"/> threads: an optimizer's update, a weight average, a ReLU, a sum of
/// per-image gradients. Each value's result must be its own, so which thread computes a part changes no value.
/// </summary>
internal static class EachPart
{
    /// <summary>The most values in one part unless told.</summary>
    public const int PartLength = 16_384;

    /// <summary>
    /// Calls <paramref name="body"/>(offset, length) for parts of at most <paramref name="partLength"/> values covering
    /// 0 … <paramref name="length"/> − 1; in one call on this thread when there are fewer than two parts' values or one
    /// thread is allowed.
    /// </summary>
    /// <remarks>
    /// The parts are as many as a multiple of the threads and as equal as a multiple of 16 values allows, so each thread's
    /// run of parts (see <see cref="Workers"/>) is the same share of the array on every pass — the share of a layer's
    /// weights its core updated in the last step and holds in its cache. A part's length is a multiple of every vector
    /// width, so its values take the same path through a vectorized loop as they would in one pass.
    /// </remarks>
    public static void Run(int length, Action<int, int> body, int partLength = PartLength)
    {
        int threads = MatMul.MaxDegreeOfParallelism;
        if (length < 2 * partLength || threads == 1)
        {
            body(0, length);
            return;
        }
        int parts = threads * DivideRoundingUp(length, threads * partLength);
        int even = DivideRoundingUp(DivideRoundingUp(length, parts), 16) * 16;
        Workers.Run(DivideRoundingUp(length, even), threads, part =>
        {
            int offset = part * even;
            body(offset, Math.Min(even, length - offset));
        });
    }

    private static int DivideRoundingUp(int value, int divisor) => (value + divisor - 1) / divisor;
}
