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
using SharpFuzz;

// One fuzz target per loader that reads bytes from outside. Each reads the input and may refuse it only with the
// loader's documented exception; anything else escapes, and AFL++ records it as a crash.
//   NotebookNet.Fuzz TARGET          run under afl-fuzz (fuzz/run.sh does this)
//   NotebookNet.Fuzz corpus DIR      write each target's seed corpus, made from valid files, to DIR/TARGET/
//   NotebookNet.Fuzz replay TARGET FILE…  run inputs once, outside AFL, and print what each did
var targets = new Dictionary<string, Action<byte[]>>
{
    ["idx"] = bytes => Refused<InvalidDataException>(() => IdxFile.Parse(bytes, "fuzz")),
    ["idx-gzip"] = bytes => Refused<InvalidDataException>(() =>
    {
        string path = Path.Combine(Path.GetTempPath(), $"notebooknet-fuzz-{Environment.ProcessId}.gz");
        File.WriteAllBytes(path, bytes);
        IdxFile.Read(path);
    }),
    ["model"] = bytes => Refused<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes), "fuzz.nnw")),
    ["checkpoint"] = bytes => Refused<InvalidDataException>(() => TrainingCheckpoint.Load(new MemoryStream(bytes), "fuzz.ckpt")),
    // The frame's SHA-256 stops almost every mutation at the checksum; these wrap the mutated payload in a valid frame,
    // so the fuzzer reaches the parsers behind it.
    ["model-payload"] = bytes => Refused<InvalidDataException>(() => ModelFile.Load(new MemoryStream(Framed("NNWT"u8, 2, bytes)), "fuzz.nnw")),
    ["model-v1-payload"] = bytes => Refused<InvalidDataException>(() => ModelFile.Load(new MemoryStream(Framed("NNWT"u8, 1, bytes)), "fuzz.nnw")),
    ["checkpoint-payload"] = bytes => Refused<InvalidDataException>(() => TrainingCheckpoint.Load(new MemoryStream(Framed("NNCK"u8, 1, bytes)), "fuzz.ckpt")),
    ["image"] = bytes => Refused<InvalidDataException>(() => ImageDecoder.Decode(bytes, "fuzz")),
    ["csv"] = bytes => Refused<InvalidDataException>(() => DigitCsv.Read(new StreamReader(new MemoryStream(bytes)), "fuzz.csv")),
    // The first byte chooses the content type, the rest is the body.
    ["studio"] = bytes => Refused<StudioError>(() =>
    {
        var context = new DefaultHttpContext();
        context.Request.ContentType = bytes.Length > 0 && bytes[0] % 2 == 1 ? "image/png" : "application/json";
        context.Request.Body = new MemoryStream(bytes, Math.Min(1, bytes.Length), Math.Max(0, bytes.Length - 1));
        DrawingRequest.ReadAsync(context.Request, new StudioOptions(), CancellationToken.None).GetAwaiter().GetResult();
    }),
};

if (args is ["corpus", string folder])
{
    foreach ((string target, byte[][] seeds) in Seeds())
    {
        Directory.CreateDirectory(Path.Combine(folder, target));
        for (int i = 0; i < seeds.Length; i++)
        {
            File.WriteAllBytes(Path.Combine(folder, target, $"seed-{i}"), seeds[i]);
        }
    }
    return 0;
}
if (args is ["replay", string replayed, .. string[] files] && targets.TryGetValue(replayed, out Action<byte[]>? replay))
{
    foreach (string file in files)
    {
        try
        {
            replay(File.ReadAllBytes(file));
            Console.WriteLine($"{file}: read or refused as documented");
        }
        catch (Exception error)
        {
            Console.WriteLine($"{file}: {error.GetType().Name}: {error.Message}\n{error.StackTrace}");
        }
    }
    return 0;
}
if (args is not [string name] || !targets.TryGetValue(name, out Action<byte[]>? run))
{
    Console.Error.WriteLine($"usage: NotebookNet.Fuzz TARGET | corpus DIR | replay TARGET FILE...; targets: {string.Join(", ", targets.Keys)}");
    return 2;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    run(buffer.ToArray());
});
return 0;

static void Refused<TDocumented>(Action read) where TDocumented : Exception
{
    try
    {
        read();
    }
    catch (TDocumented)
    {
        // refused with the documented exception: what damaged input should get
    }
}

static byte[] Framed(ReadOnlySpan<byte> magic, uint version, byte[] payload)
{
    var frame = new byte[16 + payload.Length + 32];
    magic.CopyTo(frame);
    System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), version);
    System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(frame.AsSpan(8), (ulong)payload.Length);
    payload.CopyTo(frame, 16);
    System.Security.Cryptography.SHA256.HashData(payload).CopyTo(frame, 16 + payload.Length);
    return frame;
}

static byte[] Payload(byte[] framed) => framed[16..^32];

static Dictionary<string, byte[][]> Seeds()
{
    var values = Enumerable.Range(0, 3 * 4 * 4).Select(i => (byte)(i * 37)).ToArray();
    string idxPath = Path.Combine(Path.GetTempPath(), "notebooknet-fuzz-seed-idx"), gzPath = idxPath + ".gz";
    IdxFile.Write(idxPath, [3, 4, 4], values);
    IdxFile.Write(gzPath, [3, 4, 4], values);

    var rng = new Rng(3);
    var model = new Sequential(new Conv2d(1, 2, 3, rng: rng), new ReLU(), new MaxPool2d(2), new Flatten(),
        new Linear(2 * 3 * 3, 4, rng), new BatchNorm(4), new Dropout(0.1f, rng), new Linear(4, 10, rng, bias: false));
    using var modelBytes = new MemoryStream();
    ModelFile.Save(model, modelBytes, ModelInput.Mnist(PixelScaling.ZeroToOne, [1, 8, 8]), new Dictionary<string, string> { ["recipe"] = "fuzz" });

    var small = new Sequential(new Linear(4, 3, rng), new ReLU(), new Dropout(0.2f, rng), new Linear(3, 2, rng));
    var data = new Dataset(new Tensor(Enumerable.Range(0, 48).Select(i => i / 48f).ToArray(), 12, 4), Enumerable.Range(0, 12).Select(i => i % 2).ToArray());
    string checkpointPath = Path.Combine(Path.GetTempPath(), "notebooknet-fuzz-seed.ckpt");
    new Trainer(small, new CrossEntropyLoss(), new Adam(small.Parameters)).Fit(data, null,
        new TrainingOptions { Epochs = 1, BatchSize = 4, Checkpoint = new Checkpointing(checkpointPath) { EveryBatches = 2 } });

    var rgba = new byte[16 * 12 * 4];
    for (int i = 0; i < rgba.Length; i++)
    {
        rgba[i] = (byte)(i % 4 == 3 ? 255 : (i / 4 % 16 is > 6 and < 9 ? 0 : 255));
    }
    byte[] png = ImageDecoder.EncodePng(rgba, 16, 12);
    using var jpegImage = SkiaSharp.SKImage.FromEncodedData(png);
    byte[] jpeg = jpegImage.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 80).ToArray();

    var csv = new StringWriter();
    DigitCsv.Write(new MnistSplit(Enumerable.Range(0, 2 * 784).Select(i => (byte)(i % 256)).ToArray(), [4, 7]), csv);

    byte[] json = Encoding.UTF8.GetBytes($$"""{"width":16,"height":12,"rgba":"{{Convert.ToBase64String(rgba)}}","steps":true,"label":3}""");
    return new()
    {
        ["idx"] = [File.ReadAllBytes(idxPath)],
        ["idx-gzip"] = [File.ReadAllBytes(gzPath)],
        ["model"] = [modelBytes.ToArray()],
        ["checkpoint"] = [File.ReadAllBytes(checkpointPath)],
        ["model-payload"] = [Payload(modelBytes.ToArray())],
        ["model-v1-payload"] = [Payload(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "v1-small.nnw")))],
        ["checkpoint-payload"] = [Payload(File.ReadAllBytes(checkpointPath))],
        ["image"] = [png, jpeg],
        ["csv"] = [Encoding.UTF8.GetBytes(csv.ToString())],
        ["studio"] = [[0, .. json], [1, .. png]],
    };
}
