using NotebookNet.Activations;
using NotebookNet.Layers;
using NotebookNet.Serialization;
using NotebookNet.Tensors;

namespace NotebookNet.Tests.Serialization;

public class ModelFileTests
{
    private static Sequential Model(int hidden = 16, int seed = 1)
    {
        var rng = new Rng(seed);
        return new Sequential(new Linear(20, hidden, rng: rng), new ReLU(), new Linear(hidden, 10, bias: false, rng: rng), new Sigmoid());
    }

    private static byte[] Bytes(Sequential model)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream, new Dictionary<string, string> { ["scaling"] = "Rashid" });
        return stream.ToArray();
    }

    [Fact]
    public void RoundTripKeepsArchitectureWeightsAndMetadata()
    {
        using var folder = new TempFolder();
        Sequential model = Model();
        string path = folder.File("m.nnw");
        ModelFile.Save(model, path, new Dictionary<string, string> { ["scaling"] = "Rashid" });
        SavedModel loaded = ModelFile.Load(path);
        Assert.Equal(model.ToString(), loaded.Model.ToString());
        Assert.Equal("Rashid", loaded.Metadata["scaling"]);
        for (int i = 0; i < model.Parameters.Count; i++)
        {
            Assert.Equal(model.Parameters[i].Value.Data, loaded.Model.Parameters[i].Value.Data);
        }
        Tensor x = Tensor.RandomNormal(new Rng(3), 0, 1, 4, 20);
        Assert.Equal(model.Forward(x).Data, loaded.Model.Forward(x).Data);
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void AConvolutionalModelRoundTrips()
    {
        var rng = new Rng(4);
        var model = new Sequential(new Conv2d(1, 4, 3, 1, 1, rng: rng), new ReLU(), new MaxPool2d(2), new Dropout(0.25f),
            new Flatten(), new Linear(4 * 5 * 5, 10, rng: rng));
        using var stream = new MemoryStream();
        ModelFile.Save(model, stream);
        stream.Position = 0;
        Sequential loaded = ModelFile.Load(stream, "cnn.nnw").Model;
        Assert.Equal(model.ToString(), loaded.ToString());
        model.IsTraining = loaded.IsTraining = false;
        Tensor x = Tensor.RandomNormal(new Rng(5), 0, 1, 3, 1, 10, 10);
        Assert.Equal(model.Forward(x).Data, loaded.Forward(x).Data);
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
        version[4] = 2;
        Assert.Contains("unsupported version 2, expected 1", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(version), "m.nnw")).Message);
        Assert.Contains("not a NotebookNet model", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream("hello world, not a model"u8.ToArray()), "m.nnw")).Message);
    }

    [Fact]
    public void LoadingIntoAnotherArchitectureNamesBoth()
    {
        using var folder = new TempFolder();
        ModelFile.Save(Model(hidden: 16), folder.File("m.nnw"));
        var error = Assert.Throws<InvalidDataException>(() => ModelFile.LoadInto(Model(hidden: 32), folder.File("m.nnw")));
        Assert.Contains("Linear(20, 16, 1)", error.Message);
        Assert.Contains("Linear(20, 32, 1)", error.Message);

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
        // A metadata value too long for the format fails while writing the temporary file.
        var tooLong = new Dictionary<string, string> { ["note"] = new string('x', 70_000) };
        Assert.ThrowsAny<Exception>(() => ModelFile.Save(Model(seed: 5), path, tooLong));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }
}
