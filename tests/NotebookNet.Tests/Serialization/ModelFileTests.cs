using System.Globalization;
using NotebookNet.Activations;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Serialization;
using NotebookNet.Tensors;

namespace NotebookNet.Tests.Serialization;

public class ModelFileTests
{
    private static Sequential Model(int hidden = 16, int seed = 1)
    {
        var rng = new Rng(seed);
        return new Sequential(new Linear(20, hidden, rng), new ReLU(), new Linear(hidden, 10, rng, bias: false), new Sigmoid());
    }

    private static readonly ModelInput Input = ModelInput.Mnist(PixelScaling.Rashid, [784]);

    private static byte[] Bytes(Sequential model)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream, Input, new Dictionary<string, string> { ["note"] = "test" });
        return stream.ToArray();
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Serialization", "Fixtures", name);

    [Fact]
    public void RoundTripKeepsArchitectureWeightsInputAndMetadata()
    {
        using var folder = new TempFolder();
        Sequential model = Model();
        string path = folder.File("m.nnw");
        ModelFile.Save(model, path, Input, new Dictionary<string, string> { ["recipe"] = "test" });
        SavedModel loaded = ModelFile.Load(path);
        Assert.Equal(model.ToString(), loaded.Model.ToString());
        Assert.Equal("test", loaded.Metadata["recipe"]);
        Assert.NotNull(loaded.Input);
        Assert.True(Input.Matches(loaded.Input));
        Assert.Equal(model.State.Select(entry => entry.Name), loaded.Model.State.Select(entry => entry.Name));
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            Assert.Equal(model.Parameters[i].Value.Data, loaded.Model.Parameters[i].Value.Data);
        }
        Tensor x = Tensor.RandomNormal(new Rng(3), 0, 1, 4, 20);
        Assert.Equal(model.Forward(x).Data, loaded.Model.Forward(x).Data);
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void AConvolutionalModelWithBatchNormRoundTripsWithItsRunningStatistics()
    {
        var rng = new Rng(4);
        var model = new Sequential(new Conv2d(1, 4, 3, rng, 1, 1), new BatchNorm(4), new ReLU(), new MaxPool2d(2), new Dropout(0.25f, rng),
            new Flatten(), new Linear(4 * 5 * 5, 10, rng));
        // Training steps move the running statistics away from 0 and 1.
        for (int i = 0; i < 3; i++)
        {
            model.Forward(Tensor.RandomNormal(new Rng(10 + i), 1f, 2f, 8, 1, 10, 10));
        }
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        stream.Position = 0;
        SavedModel saved = ModelFile.Load(stream, "cnn.nnw");
        Sequential loaded = saved.Model;
        Assert.Null(saved.Input);
        Assert.Equal(model.ToString(), loaded.ToString());
        var norm = (BatchNorm)loaded.Layers[1];
        Assert.Equal(((BatchNorm)model.Layers[1]).RunningMean.Data, norm.RunningMean.Data);
        Assert.All(norm.RunningMean.Data, mean => Assert.NotEqual(0f, mean));
        model.IsTraining = loaded.IsTraining = false;
        Tensor x = Tensor.RandomNormal(new Rng(5), 0, 1, 3, 1, 10, 10);
        Assert.Equal(model.Forward(x).Data, loaded.Forward(x).Data);
    }

    [Fact]
    public void AVersion1FileMadeBeforeNamedStateStillLoads()
    {
        // v1-small.nnw was written by ModelFile version 1 (commit "A version-1 model file fixture"): every v1 layer type,
        // the input contract as metadata. Its expected outputs were computed by that code on the same input.
        byte[] bytes = File.ReadAllBytes(Fixture("v1-small.nnw"));
        Assert.Equal(1u, BitConverter.ToUInt32(bytes, 4));
        SavedModel saved = ModelFile.Load(Fixture("v1-small.nnw"));
        Assert.Equal(11, saved.Model.Layers.Count);
        Assert.Equal("Linear(inFeatures: 2, outFeatures: 4, bias: true)", saved.Model.Layers[7].Spec.ToString());
        Assert.Equal("Conv2d(inChannels: 2, outChannels: 2, kernelSize: 3, stride: 2, padding: 0, bias: false)", saved.Model.Layers[3].Spec.ToString());
        Assert.NotNull(saved.Input);
        Assert.Equal(PixelScaling.Standardized, saved.Input.Scaling);
        Assert.Equal([1, 6, 6], saved.Input.Shape);
        Assert.Equal("fixture", saved.Metadata["recipe"]);
        saved.Model.IsTraining = false;
        float[] expected = File.ReadAllLines(Fixture("v1-small.expected.txt")).Select(line => float.Parse(line, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected, saved.Model.Forward(Tensor.RandomNormal(new Rng(8), 0, 1, 2, 1, 6, 6)).Data);

        // Saved again, it is a version 2 file that gives the same outputs.
        using var stream = new MemoryStream();
        ModelFile.Save(saved.Model, stream, saved.Input, saved.Metadata);
        Assert.Equal(2u, BitConverter.ToUInt32(stream.ToArray(), 4));
        stream.Position = 0;
        Sequential again = ModelFile.Load(stream).Model;
        again.IsTraining = false;
        Assert.Equal(expected, again.Forward(Tensor.RandomNormal(new Rng(8), 0, 1, 2, 1, 6, 6)).Data);
    }

    [Fact]
    public void TensorsAreMatchedByNameNotByPosition()
    {
        // The same model written with its tensors in reverse order loads the same weights.
        Sequential model = Model();
        byte[] bytes = Bytes(model);
        byte[] reordered = ReverseTensors(bytes);
        Assert.NotEqual(bytes, reordered);
        Sequential loaded = ModelFile.Load(new MemoryStream(reordered), "m.nnw").Model;
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            Assert.Equal(model.Parameters[i].Value.Data, loaded.Parameters[i].Value.Data);
        }
    }

    [Fact]
    public void AnUnknownLayerTypeOrArgumentIsNamed()
    {
        var unknown = Assert.Throws<InvalidDataException>(() => LayerRegistry.Create(new LayerSpec("Linaer", ("inFeatures", 2))));
        Assert.Contains("unknown layer type \"Linaer\"", unknown.Message);
        Assert.Contains("Linear", unknown.Message);
        var extra = Assert.Throws<InvalidDataException>(() => LayerRegistry.Create(
            new LayerSpec("Linear", ("inFeatures", 2), ("outFeatures", 3), ("bias", true), ("colour", 1))));
        Assert.Contains("colour", extra.Message);
        var missing = Assert.Throws<InvalidDataException>(() => LayerRegistry.Create(new LayerSpec("Linear", ("inFeatures", 2))));
        Assert.Contains("outFeatures is missing", missing.Message);
        var negative = Assert.Throws<InvalidDataException>(() => LayerRegistry.Create(
            new LayerSpec("Linear", ("inFeatures", -2), ("outFeatures", 3), ("bias", true))));
        Assert.Contains("inFeatures", negative.Message);
    }

    [Fact]
    public void EveryRegisteredLayerRebuildsFromItsOwnSpec()
    {
        var rng = new Rng(1);
        ILayer[] layers =
        [
            new Linear(3, 4, rng, bias: false), new Conv2d(2, 3, 5, rng, 2, 1, bias: true), new MaxPool2d(3, 2), new Dropout(0.3f, rng),
            new BatchNorm(7, 0.2f, 1e-3f), new Flatten(), new ReLU(), new Sigmoid(), new Tanh(), new Softmax(),
        ];
        Assert.Equal(LayerRegistry.Types.Order(), layers.Select(layer => layer.Spec.Type).Order());
        foreach (ILayer layer in layers)
        {
            Assert.True(layer.Spec.Matches(LayerRegistry.Create(layer.Spec).Spec), layer.Spec.ToString());
        }
    }

    /// <summary>Rewrites a v2 file with its tensor records in reverse order and a fresh checksum.</summary>
    private static byte[] ReverseTensors(byte[] file)
    {
        byte[] payload = file[16..^32];
        int descriptionLength = BitConverter.ToInt32(payload, 0);
        int offset = 4 + descriptionLength;
        int count = BitConverter.ToInt32(payload, offset);
        offset += 4;
        var records = new List<byte[]>();
        for (int i = 0; i < count; i++)
        {
            int start = offset;
            offset += 2 + BitConverter.ToUInt16(payload, offset);
            int rank = payload[offset++];
            int length = 1;
            for (int d = 0; d < rank; d++, offset += 4)
            {
                length *= BitConverter.ToInt32(payload, offset);
            }
            offset += 4 * length;
            records.Add(payload[start..offset]);
        }
        records.Reverse();
        byte[] newPayload = [.. payload[..(8 + descriptionLength)], .. records.SelectMany(record => record)];
        byte[] hash = System.Security.Cryptography.SHA256.HashData(newPayload);
        return [.. file[..16], .. newPayload, .. hash];
    }

    [Fact]
    public void EveryTruncationFailsWithAClearMessage()
    {
        byte[] bytes = Bytes(Model());
        foreach (int length in new[] { 0, 3, 10, 16, 17, bytes.Length / 2, bytes.Length - 1 })
        {
            var error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes[..length]), "m.nnw"));
            Assert.StartsWith("m.nnw: ", error.Message);
            Assert.True(error.Message.Contains("truncated") || error.Message.Contains("not a NotebookNet model"), error.Message);
        }
    }

    [Fact]
    public void EveryFlippedByteIsCaught()
    {
        byte[] bytes = Bytes(Model(hidden: 3));
        for (int i = 0; i < bytes.Length; i++)
        {
            byte[] damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x10;
            Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(damaged), "m.nnw"));
        }
    }

    [Fact]
    public void ChecksumMismatchAndVersionAreNamed()
    {
        byte[] bytes = Bytes(Model());
        byte[] flipped = (byte[])bytes.Clone();
        flipped[100] ^= 1;
        Assert.Contains("checksum mismatch", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(flipped), "m.nnw")).Message);
        byte[] version = (byte[])bytes.Clone();
        version[4] = 3;
        Assert.Contains("unsupported version 3, expected 1 or 2", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(version), "m.nnw")).Message);
        Assert.Contains("not a NotebookNet model", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream("hello world, not a model"u8.ToArray()), "m.nnw")).Message);
    }

    [Fact]
    public void LoadingIntoAnotherArchitectureNamesBoth()
    {
        using var folder = new TempFolder();
        ModelFile.Save(Model(hidden: 16), folder.File("m.nnw"));
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.LoadInto(Model(hidden: 32), folder.File("m.nnw")));
        Assert.Contains("Linear(inFeatures: 20, outFeatures: 16, bias: true)", error.Message);
        Assert.Contains("Linear(inFeatures: 20, outFeatures: 32, bias: true)", error.Message);

        Sequential same = Model(hidden: 16, seed: 99);
        ModelFile.LoadInto(same, folder.File("m.nnw"));
        Assert.Equal(Model(hidden: 16).Parameters[0].Value.Data, same.Parameters[0].Value.Data);
    }

    [Fact]
    public void SavingOverAnExistingFileReplacesItWhole()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.nnw");
        File.WriteAllText(path, "old contents");
        ModelFile.Save(Model(), path);
        Assert.Equal(Model().ToString(), ModelFile.Load(path).Model.ToString());
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void AFailedSaveLeavesTheOldFileAndNoTemporary()
    {
        using var folder = new TempFolder();
        string path = folder.File("m.nnw");
        ModelFile.Save(Model(), path);
        byte[] before = File.ReadAllBytes(path);
        // A layer that cannot describe itself fails while the temporary file is being written.
        var broken = new Sequential(new Linear(20, 10, new Rng(5)), new Undescribable());
        Assert.Throws<InvalidOperationException>(() => ModelFile.Save(broken, path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    private sealed class Undescribable : ILayer
    {
        public IReadOnlyList<Parameter> Parameters => [];

        public bool IsTraining { get; set; }

        public LayerSpec Spec => throw new InvalidOperationException("no spec");

        public Tensor Forward(Tensor input) => input;

        public Tensor Backward(Tensor outputGradient) => outputGradient;

        public int[] OutputShape(IReadOnlyList<int> inputShape) => inputShape.ToArray();
    }
}
