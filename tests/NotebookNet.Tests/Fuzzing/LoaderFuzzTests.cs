using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;
using NotebookNet.Activations;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Losses;
using NotebookNet.Optimizers;
using NotebookNet.Preprocessing;
using NotebookNet.Serialization;
using NotebookNet.Studio;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Fuzzing;

/// <summary>
/// Every loader that reads bytes from outside, fed thousands of damaged copies of a valid file: each copy is read, or
/// refused with the loader's documented exception and a message that names the file. Never an IndexOutOfRange,
/// NullReference, OutOfMemory or Overflow exception, never a hang, and never an allocation a header's claim asked for.
/// </summary>
public class LoaderFuzzTests
{
    private const int Cases = 3_000;

    private static byte[] Idx()
    {
        var values = new byte[6 * 5 * 4];
        new Rng(1).Shuffle(values.AsSpan());
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (byte)(i * 37);
        }
        using var folder = new TempFolder();
        IdxFile.Write(folder.File("x-idx3-ubyte"), [6, 5, 4], values);
        return File.ReadAllBytes(folder.File("x-idx3-ubyte"));
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(bytes);
        }
        return buffer.ToArray();
    }

    [Fact]
    public void IdxBytesAreReadOrRefusedByName() =>
        Mutations.Check(Idx(), Cases, seed: 1, bytes => IdxFile.Parse(bytes, "fuzz-idx3-ubyte"),
            [typeof(InvalidDataException)], message => message.StartsWith("fuzz-idx3-ubyte: ", StringComparison.Ordinal));

    [Fact]
    public void GzippedIdxFilesAreReadOrRefusedByNameWithMemoryBoundedByTheirContent()
    {
        using var folder = new TempFolder();
        string path = folder.File("fuzz-idx1-ubyte.gz");
        Mutations.Check(Gzip(Idx()), Cases, seed: 2, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            IdxFile.Read(path);
        }, [typeof(InvalidDataException)], message => message.StartsWith("fuzz-idx1-ubyte.gz: ", StringComparison.Ordinal), maxAllocatedBytes: 4 << 20);
    }

    [Fact]
    public void AGzipThatInflatesToGigabytesIsCutOffNotRead()
    {
        // A header claiming 4 × 1 GB values over a stream of zeros: 1 MB of gzip would inflate without end.
        using var folder = new TempFolder();
        string path = folder.File("bomb-idx1-ubyte.gz");
        using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Optimal))
        {
            gzip.Write([0, 0, 8, 1, 0x7F, 0xFF, 0xFF, 0xFF]);
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++)
            {
                gzip.Write(zeros); // 256 MB inflated, about 256 KB on disk
            }
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => IdxFile.Read(path));
        Assert.Contains("larger than any IDX file this reader accepts", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the claim was believed");
    }

    private static Sequential SmallModel()
    {
        var rng = new Rng(3);
        return new Sequential(new Conv2d(1, 2, 3, rng: rng), new ReLU(), new MaxPool2d(2), new Flatten(),
            new Linear(2 * 3 * 3, 4, rng), new BatchNorm(4), new Dropout(0.1f, rng), new Linear(4, 10, rng, bias: false));
    }

    [Fact]
    public void ModelFilesOfVersion2AreReadOrRefusedByName()
    {
        using var buffer = new MemoryStream();
        ModelFile.Save(SmallModel(), buffer, ModelInput.Mnist(PixelScaling.ZeroToOne, [1, 8, 8]), new Dictionary<string, string> { ["recipe"] = "fuzz" });
        Mutations.Check(buffer.ToArray(), Cases, seed: 3, bytes => ModelFile.Load(new MemoryStream(bytes), "fuzz.nnw"),
            [typeof(InvalidDataException)], message => message.StartsWith("fuzz.nnw: ", StringComparison.Ordinal));
    }

    [Fact]
    public void ModelFilesOfVersion1AreReadOrRefusedByName()
    {
        byte[] valid = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Serialization", "Fixtures", "v1-small.nnw"));
        Mutations.Check(valid, Cases, seed: 4, bytes => ModelFile.Load(new MemoryStream(bytes), "old.nnw"),
            [typeof(InvalidDataException)], message => message.StartsWith("old.nnw: ", StringComparison.Ordinal));
    }

    [Fact]
    public void TrainingCheckpointsAreReadOrRefusedByName()
    {
        using var folder = new TempFolder();
        var rng = new Rng(5);
        var model = new Sequential(new Linear(4, 3, rng), new ReLU(), new Dropout(0.2f, rng), new Linear(3, 2, rng));
        var data = new Dataset(new Tensor(Enumerable.Range(0, 48).Select(i => i / 48f).ToArray(), 12, 4), Enumerable.Range(0, 12).Select(i => i % 2).ToArray());
        string path = folder.File("fuzz.ckpt");
        new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters)).Fit(data, null,
            new TrainingOptions { Epochs = 1, BatchSize = 4, Checkpoint = new Checkpointing(path) { EveryBatches = 2 } });
        Mutations.Check(File.ReadAllBytes(path), Cases, seed: 5, bytes => TrainingCheckpoint.Load(new MemoryStream(bytes), "fuzz.ckpt"),
            [typeof(InvalidDataException)], message => message.StartsWith("fuzz.ckpt: ", StringComparison.Ordinal));
    }

    private static byte[] Drawing(bool jpeg)
    {
        var rgba = new byte[40 * 30 * 4];
        for (int y = 0; y < 30; y++)
        {
            for (int x = 0; x < 40; x++)
            {
                byte ink = (byte)(Math.Abs(x - 20) < 3 && y > 4 && y < 26 ? 0 : 255);
                rgba.AsSpan((y * 40 + x) * 4, 4).Fill(ink);
            }
        }
        byte[] png = ImageDecoder.EncodePng(rgba, 40, 30);
        if (!jpeg)
        {
            return png;
        }
        using var image = SkiaSharp.SKImage.FromEncodedData(png);
        using SkiaSharp.SKData encoded = image.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 80);
        return encoded.ToArray();
    }

    [Theory]
    [InlineData(false, 6)]
    [InlineData(true, 7)]
    public void PicturesAreDecodedOrRefusedByName(bool jpeg, ulong seed) =>
        // Decoding is native code (SkiaSharp); a picture is at most ImageDecoder.MaxDecodedPixels, 100 MB of RGBA.
        Mutations.Check(Drawing(jpeg), Cases, seed, bytes => ImageDecoder.Decode(bytes, "fuzz-picture"),
            [typeof(InvalidDataException)], message => message.StartsWith("fuzz-picture: ", StringComparison.Ordinal),
            maxAllocatedBytes: ImageDecoder.MaxDecodedPixels * 4 * 3);

    [Fact]
    public void DigitCsvIsReadOrRefusedByName()
    {
        var text = new StringWriter();
        DigitCsv.Write(new MnistSplit(Enumerable.Range(0, 3 * 784).Select(i => (byte)(i % 256)).ToArray(), [1, 2, 3]), text);
        Mutations.Check(Encoding.UTF8.GetBytes(text.ToString()), Cases, seed: 8,
            bytes => DigitCsv.Read(new StreamReader(new MemoryStream(bytes)), "fuzz.csv"),
            [typeof(InvalidDataException)], message => message.StartsWith("fuzz.csv", StringComparison.Ordinal));
    }

    private static void Predict(byte[] body, string contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        DrawingRequest.ReadAsync(context.Request, new StudioOptions(), CancellationToken.None).GetAwaiter().GetResult();
    }

    [Fact]
    public void TheStudiosCanvasRequestsAreReadOrRefusedWithABadRequest()
    {
        var rgba = new byte[12 * 10 * 4];
        rgba.AsSpan().Fill(255);
        byte[] json = Encoding.UTF8.GetBytes($$"""{"width":12,"height":10,"rgba":"{{Convert.ToBase64String(rgba)}}","model":"m.nnw","steps":true,"label":3}""");
        Mutations.Check(json, Cases, seed: 9, bytes => Predict(bytes, "application/json"),
            [typeof(StudioError)], message => message.Length > 0);
    }

    [Fact]
    public void TheStudiosPictureRequestsAreReadOrRefusedWithABadRequest() =>
        Mutations.Check(Drawing(jpeg: false), Cases, seed: 10, bytes => Predict(bytes, "image/png"),
            [typeof(StudioError)], message => message.StartsWith("the uploaded picture: ", StringComparison.Ordinal) || message.StartsWith("the body is empty", StringComparison.Ordinal),
            maxAllocatedBytes: ImageDecoder.MaxDecodedPixels * 4 * 3);

    /// <summary>The inputs AFL++ reported (fuzz/run.sh model-v1-payload): each a payload the target framed as a version-1 model file.</summary>
    [Theory]
    [InlineData("model-v1-payload-crash-1.bin")]
    [InlineData("model-v1-payload-hang-1.bin")]
    public void WhatAflReportedIsRefusedAsDocumentedAndPromptly(string name)
    {
        byte[] frame = Framed(version: 1, File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fuzzing", "Found", name)));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            ModelFile.Load(new MemoryStream(frame), "found.nnw");
        }
        catch (InvalidDataException error)
        {
            Assert.StartsWith("found.nnw: ", error.Message);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{name} took {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void AnArchitectureClaimingMoreWeightsThanTheFileHoldsIsRefusedBeforeAnythingIsBuilt()
    {
        // A version-2 description of Linear(100000, 100000): 40 GB of weights, in a file of a few hundred bytes.
        byte[] description = System.Text.Encoding.UTF8.GetBytes(
            """{"layers":[{"type":"Linear","inFeatures":100000,"outFeatures":100000,"bias":true}],"metadata":{}}""");
        var payload = new byte[4 + description.Length + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)description.Length);
        description.CopyTo(payload, 4);
        byte[] frame = Framed(version: 2, payload);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(frame), "huge.nnw"));
        Assert.Contains("huge.nnw: ", error.Message);
        Assert.Contains("10,000,100,000 weights", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the claimed layer was built");
    }

    /// <summary>A model file around <paramref name="payload"/>, framed as the library frames one (a valid checksum).</summary>
    private static byte[] Framed(uint version, byte[] payload)
    {
        using var file = new MemoryStream();
        ChecksummedFile.Write(file, "NNWT"u8, version, payload);
        return file.ToArray();
    }
}
