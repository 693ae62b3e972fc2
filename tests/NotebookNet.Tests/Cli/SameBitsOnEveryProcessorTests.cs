using System.Runtime.Intrinsics;

namespace NotebookNet.Tests.Cli;

/// <summary>
/// The same seed gives the same model file, bit for bit, on every vector width and thread count: train runs in
/// processes held to AVX2 (256-bit vectors), to 128-bit vectors with fused multiply-adds (what Arm64's NEON has) and
/// to one thread, and each writes exactly the file the unrestricted run writes. Every sum in the kernels, layers and
/// losses is added in one fixed order (FixedOrder, MatMul's dot products); this is what would catch one that is not.
/// </summary>
[Collection("Console")]
public class SameBitsOnEveryProcessorTests
{
    /// <summary>Recipes that between them take every path: each is trained once per hold.</summary>
    public static TheoryData<string> Recipes => new()
    {
        "best-cnn",  // convolutions, pooling, dropout, distortions, Adam, a cosine schedule
        "rashid",    // a batch of one: the dot-product path, sigmoid, mean squared error
        "best-mlp",  // batches of many through the blocked product, cross-entropy
        "bn-cnn",    // batch normalisation, SGD with momentum and weight decay, averaged weights
    };

    [Theory]
    [MemberData(nameof(Recipes))]
    public void EveryVectorWidthAndThreadCountWritesTheSameModelFile(string recipe)
    {
        using var folder = new TempFolder();
        var holds = new List<(string Name, Dictionary<string, string> Environment, string Kernel)>
        {
            ("the widest vectors, every core", [], ""),
            ("128-bit vectors with FMA, as Arm64", new() { ["DOTNET_PreferredVectorBitWidth"] = "128" }, "128-bit"),
            ("one thread", new() { ["DOTNET_PROCESSOR_COUNT"] = "1" }, ", 1 thread"),
        };
        if (Vector512.IsHardwareAccelerated)
        {
            holds.Add(("AVX2", new() { ["DOTNET_EnableAVX512"] = "0" }, "avx2"));
        }
        byte[]? expected = null;
        foreach ((string name, Dictionary<string, string> environment, string kernel) in holds)
        {
            string file = folder.File($"{holds.FindIndex(h => h.Name == name)}.nnw");
            (int code, string output) = CliProcess.Finish(CliProcess.Start(folder.Path, environment,
                "train", "--recipe", recipe, "--limit", "640", "--epochs", "1", "--seed", "5", "--output", file));
            Assert.True(code == 0, output);
            Assert.Contains(kernel, output.Split('\n').Single(line => line.Contains("matrix kernel")));
            byte[] actual = File.ReadAllBytes(file);
            expected ??= actual;
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{recipe} held to {name} wrote a different model file than with {holds[0].Name}\n{output}");
        }
    }
}
