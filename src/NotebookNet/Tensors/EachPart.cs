namespace NotebookNet.Tensors;

/// <summary>
/// Runs an element-wise pass over a long array in parts on <see cref="Workers"/>, up to
/// <see cref="MatMul.MaxDegreeOfParallelism"/> threads: an optimizer's update, a weight average, a ReLU, a sum of
/// per-image gradients. Each value's result must be its own, so which thread computes a part changes no value.
/// </summary>
internal static class EachPart
{
    /// <summary>
    /// Values in one part unless told: a multiple of every vector width, so a part's values take the same path through a
    /// vectorized loop as they would in one pass.
    /// </summary>
    public const int PartLength = 16_384;

    /// <summary>
    /// Calls <paramref name="body"/>(offset, length) for parts of <paramref name="partLength"/> values (a multiple of 16)
    /// covering 0 … <paramref name="length"/> − 1; in one call on this thread when there are fewer than two parts' values
    /// or one thread is allowed.
    /// </summary>
    public static void Run(int length, Action<int, int> body, int partLength = PartLength)
    {
        if (length < 2 * partLength || MatMul.MaxDegreeOfParallelism == 1)
        {
            body(0, length);
            return;
        }
        Workers.Run((length + partLength - 1) / partLength, MatMul.MaxDegreeOfParallelism, part =>
        {
            int offset = part * partLength;
            body(offset, Math.Min(partLength, length - offset));
        });
    }
}
