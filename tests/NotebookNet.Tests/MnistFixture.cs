using NotebookNet.Data;

namespace NotebookNet.Tests;

/// <summary>
/// The real MNIST, loaded once for the tests that need it, from wherever <see cref="Mnist.Locate"/> finds it
/// (CI sets NOTEBOOKNET_MNIST to the shared copy). A missing MNIST fails these tests, it does not skip them.
/// </summary>
public sealed class MnistFixture
{
    private static readonly Lazy<(MnistSplit Train, MnistSplit Test)> Splits = new(() => Mnist.Load());

    public MnistSplit Train => Splits.Value.Train;

    public MnistSplit Test => Splits.Value.Test;
}
