using System.IO.Compression;
using NotebookNet.Data;

namespace NotebookNet.Tests.Data;

public class IdxFileTests
{
    private static byte[] Header(byte type, params int[] dimensions)
    {
        var bytes = new List<byte> { 0, 0, type, (byte)dimensions.Length };
        foreach (int d in dimensions)
        {
            bytes.AddRange(BitConverter.GetBytes(d).Reverse());
        }
        return bytes.ToArray();
    }

    [Fact]
    public void ReadsRawAndGzippedFilesWithBigEndianDimensions()
    {
        using var folder = new TempFolder();
        byte[] values = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray();
        IdxFile.Write(folder.File("a-idx3-ubyte"), [2, 3, 4], values);
        IdxFile.Write(folder.File("a-idx3-ubyte.gz"), [2, 3, 4], values);
        foreach (string name in new[] { "a-idx3-ubyte", "a-idx3-ubyte.gz" })
        {
            IdxData data = IdxFile.Read(folder.File(name));
            Assert.Equal(new[] { 2, 3, 4 }, data.Dimensions);
            Assert.Equal(values, data.Values);
        }
        Assert.Equal(Header(0x08, 2, 3, 4), File.ReadAllBytes(folder.File("a-idx3-ubyte"))[..16]);
    }

    [Fact]
    public void TruncatedFileNamesTheFileAndTheCounts()
    {
        byte[] bytes = [.. Header(0x08, 10, 28, 28), .. new byte[100]];
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Parse(bytes, "train-images-idx3-ubyte"));
        Assert.Contains("train-images-idx3-ubyte: truncated", error.Message);
        Assert.Contains("need 7840 bytes", error.Message);
        Assert.Contains("found 100", error.Message);
    }

    [Fact]
    public void TrailingBytesAreReported()
    {
        byte[] bytes = [.. Header(0x08, 3), 1, 2, 3, 4];
        Assert.Contains("trailing bytes", Assert.Throws<InvalidDataException>(() => IdxFile.Parse(bytes, "x")).Message);
    }

    [Fact]
    public void WrongMagicAndTypeAreReported()
    {
        var magic = Assert.Throws<InvalidDataException>(() => IdxFile.Parse([0x1f, 0x8b, 8, 0, 0, 0], "labels.gz"));
        Assert.Contains("labels.gz: not an IDX file", magic.Message);
        var type = Assert.Throws<InvalidDataException>(() => IdxFile.Parse([.. Header(0x0D, 1), 0, 0, 0, 0], "floats"));
        Assert.Contains("0x0d is not supported", type.Message);
        var rank = Assert.Throws<InvalidDataException>(() => IdxFile.Parse([0, 0, 8, 0], "empty"));
        Assert.Contains("0 dimensions", rank.Message);
        var header = Assert.Throws<InvalidDataException>(() => IdxFile.Parse([0, 0, 8, 3, 0, 0], "short"));
        Assert.Contains("truncated header", header.Message);
    }

    [Fact]
    public void DamagedGzipIsReportedWithTheFileName()
    {
        using var folder = new TempFolder();
        IdxFile.Write(folder.File("x.gz"), [1000], Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray());
        byte[] gz = File.ReadAllBytes(folder.File("x.gz"));
        File.WriteAllBytes(folder.File("cut.gz"), gz[..(gz.Length / 2)]);
        var error = Assert.ThrowsAny<InvalidDataException>(() => IdxFile.Read(folder.File("cut.gz")));
        Assert.Contains("cut.gz", error.Message);
    }

    [Fact]
    public void MissingFileIsReported()
    {
        Assert.Throws<FileNotFoundException>(() => IdxFile.Read("/nonexistent/train-images-idx3-ubyte"));
    }
}
