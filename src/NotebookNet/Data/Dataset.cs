using NotebookNet.Tensors;

namespace NotebookNet.Data;

/// <summary>
/// Examples and their labels: images of shape (N, …) and one class label per image.
/// Introduced in notebook 01; batches in notebook 04.
/// </summary>
public sealed class Dataset
{
    /// <summary>Pairs <paramref name="images"/> (first dimension N) with N labels.</summary>
    /// <exception cref="ArgumentException">The counts differ.</exception>
    public Dataset(Tensor images, int[] labels)
    {
        if (images.Rank < 2 || images.Size(0) != labels.Length)
        {
            throw new ArgumentException($"dataset: images {images.ShapeText} and {labels.Length} labels do not match: the first dimension is the count");
        }
        Images = images;
        Labels = labels;
    }

    /// <summary>The images, shape (N, …).</summary>
    public Tensor Images { get; }

    /// <summary>The class of each image.</summary>
    public int[] Labels { get; }

    /// <summary>The number of examples.</summary>
    public int Count => Labels.Length;

    /// <summary>The number of values in one example.</summary>
    public int ExampleLength => Images.Length / Math.Max(1, Count);

    /// <summary>The shape of one example, e.g. (784,) or (1, 28, 28).</summary>
    public int[] ExampleShape => Images.Shape.Skip(1).ToArray();

    /// <summary>The first <paramref name="count"/> examples (copied), or all when there are fewer.</summary>
    public Dataset Take(int count) => Slice(0, Math.Min(count, Count));

    /// <summary>Examples [start, start + count) (copied).</summary>
    public Dataset Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"examples [{start}, {start + count}) are outside a dataset of {Count}");
        }
        int length = ExampleLength;
        float[] values = Images.Data.AsSpan(start * length, count * length).ToArray();
        return new Dataset(new Tensor(values, [count, .. ExampleShape]), Labels.AsSpan(start, count).ToArray());
    }

    /// <summary>The same examples with each image seen as <paramref name="exampleShape"/>, e.g. (1, 28, 28) for a CNN.</summary>
    public Dataset Reshape(params int[] exampleShape) => new(Images.Reshape([Count, .. exampleShape]), Labels);

    /// <summary>The images of examples [start, start + count) as one batch tensor (N, …): a copy of contiguous rows.</summary>
    public Tensor Batch(int start, int count)
    {
        var images = new Tensor([count, .. ExampleShape]);
        Images.Data.AsSpan(start * ExampleLength, count * ExampleLength).CopyTo(images.Data);
        return images;
    }

    /// <summary>Copies the examples at <paramref name="indices"/> into <paramref name="images"/> and <paramref name="labels"/>.</summary>
    /// <remarks>
    /// Halves of a training batch are copied on two threads (see <see cref="Workers"/>): a shuffled batch's images each
    /// wait for main memory, and the other core would wait for the copy with nothing to do.
    /// </remarks>
    public unsafe void Gather(ReadOnlySpan<int> indices, Tensor images, int[] labels)
    {
        fixed (int* start = indices)
        {
            nint address = (nint)start;
            int count = indices.Length;
            EachPart.Run(count, (first, length) => GatherPart(new ReadOnlySpan<int>((int*)address, count), first, length, images, labels),
                partLength: GatherPartLength);
        }
    }

    // Examples a thread copies at least: a part of a batch of 64 (MNIST, 200 KB) or more goes to each of two threads.
    private const int GatherPartLength = 16;

    private void GatherPart(ReadOnlySpan<int> indices, int first, int count, Tensor images, int[] labels)
    {
        int length = ExampleLength;
        for (int i = first; i < first + count; i++)
        {
            if (i + Ahead < first + count)
            {
                Prefetch(indices[i + Ahead] * length, length);
            }
            Images.Data.AsSpan(indices[i] * length, length).CopyTo(images.Data.AsSpan(i * length, length));
            labels[i] = Labels[indices[i]];
        }
    }

    // Examples whose memory Gather asks for ahead of copying them: a shuffled batch's examples lie anywhere in the
    // data set's hundreds of megabytes, and each waits for main memory unless asked for early.
    private const int Ahead = 4;

    private unsafe void Prefetch(int offset, int length)
    {
        fixed (float* start = &Images.Data[offset])
        {
            Memory.Prefetch(start, length);
        }
    }

    /// <summary>
    /// The examples in batches of <paramref name="batchSize"/> (the last may be smaller), shuffled by
    /// <paramref name="shuffle"/> when it is given. Each batch is a fresh copy.
    /// </summary>
    public IEnumerable<(Tensor Images, int[] Labels)> Batches(int batchSize, Rng? shuffle = null)
    {
        int[] order = Enumerable.Range(0, Count).ToArray();
        shuffle?.Shuffle(order.AsSpan());
        for (int start = 0; start < Count; start += batchSize)
        {
            int size = Math.Min(batchSize, Count - start);
            var images = new Tensor([size, .. ExampleShape]);
            var labels = new int[size];
            Gather(order.AsSpan(start, size), images, labels);
            yield return (images, labels);
        }
    }

    /// <summary>How many examples have each label, for classes 0..<paramref name="classes"/>−1.</summary>
    public int[] LabelCounts(int classes = 10)
    {
        var counts = new int[classes];
        foreach (int label in Labels)
        {
            counts[label]++;
        }
        return counts;
    }
}
