using NotebookNet.Data;

namespace NotebookNet.Tests.Data;

public class MnistTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    [Fact]
    public void LoadsTheVerifiedOriginalSplits()
    {
        Assert.Equal(60_000, mnist.Train.Count);
        Assert.Equal(10_000, mnist.Test.Count);
        Assert.Equal(60_000 * 784, mnist.Train.Pixels.Length);
        // The first training digit of MNIST is a 5, the first test digit a 7.
        Assert.Equal(5, mnist.Train.Labels[0]);
        Assert.Equal(7, mnist.Test.Labels[0]);
        Assert.Equal(new[] { 980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009 }, mnist.Test.ToDataset().LabelCounts());
    }

    [Fact]
    public void ScalingsMapBytesAsDocumented()
    {
        Assert.Equal(0.01f, Mnist.Scale(0, PixelScaling.Rashid), 6);
        Assert.Equal(1.0f, Mnist.Scale(255, PixelScaling.Rashid), 6);
        Assert.Equal(1.0f, Mnist.Scale(255, PixelScaling.ZeroToOne));
        Dataset subset = mnist.Train.ToDataset(PixelScaling.ZeroToOne, count: 100);
        Assert.Equal(new[] { 100, 784 }, subset.Images.Shape);
        Assert.InRange(subset.Images.Data.Max(), 0.99f, 1f);
    }

    [Fact]
    public void AChangedByteFailsVerificationWithAHint()
    {
        string folder = Mnist.Locate();
        using var copy = new TempFolder();
        byte[] labels = IdxFile.ReadDecompressed(Directory.GetFiles(folder, "t10k-labels-idx1-ubyte*")[0]);
        labels[^1] ^= 1;
        File.WriteAllBytes(copy.File("t10k-labels-idx1-ubyte"), labels);
        var error = Assert.Throws<InvalidDataException>(() => Mnist.ReadSplit(copy.Path, Mnist.Files[3], Mnist.Files[3]));
        Assert.Contains("t10k-labels-idx1-ubyte: SHA-256", error.Message);
        Assert.Contains("delete it", error.Message);
    }

    [Fact]
    public void AnExplicitFolderWithoutTheFilesIsNamed()
    {
        using var empty = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => Mnist.Locate(empty.Path));
        Assert.Contains("train-images-idx3-ubyte", error.Message);
    }

    [Fact]
    public void DownloadFromAMirrorVerifiesAndCaches()
    {
        // A mirror on loopback that serves the shared copy: the real download path, without the internet.
        string source = Mnist.Locate();
        using var server = new LoopbackMirror(source);
        using var cache = new TempFolder();
        var reported = new List<DownloadProgress>();
        Mnist.Download(cache.Path, ["http://127.0.0.1:1/unreachable/", server.Url], new SynchronousProgress(reported.Add));
        Assert.All(Mnist.Files, file => Assert.True(File.Exists(Path.Combine(cache.Path, file.Name + ".gz"))));
        Assert.Contains(reported, p => p.File == "train-images-idx3-ubyte" && p.Bytes == p.TotalBytes);
        Assert.Empty(Directory.GetFiles(cache.Path, "*.part"));
        Assert.Equal(10_000, Mnist.ReadSplit(cache.Path, Mnist.Files[2], Mnist.Files[3]).Count);
    }

    [Fact]
    public void ADownloadThatFailsEverywhereSaysWhatToDo()
    {
        using var cache = new TempFolder();
        var error = Assert.Throws<IOException>(() => Mnist.Download(cache.Path, ["http://127.0.0.1:1/"]));
        Assert.Contains("could not download", error.Message);
        Assert.Contains(Mnist.EnvironmentVariable, error.Message);
        Assert.Contains("Mnist.Folder", error.Message);   // the notebook route
        Assert.Contains("--data", error.Message);         // the command-line route
    }

    [Fact]
    public void ANotebooksFolderComesBeforeTheEnvironmentVariable()
    {
        // Set to the folder the tests already use (so tests running beside this one read the same files), in another
        // spelling: Locate must return this spelling, not the environment variable's.
        string folder = Mnist.Locate();
        string spelled = Path.Combine(folder, ".");
        Mnist.Folder = spelled;
        try
        {
            Assert.Equal(spelled, Mnist.Locate());
        }
        finally
        {
            Mnist.Folder = null;
        }
    }

    private sealed class SynchronousProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
