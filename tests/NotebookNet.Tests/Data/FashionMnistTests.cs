using NotebookNet.Data;
using NotebookNet.Preprocessing;
using NotebookNet.Serialization;

namespace NotebookNet.Tests.Data;

/// <summary>
/// Fashion-MNIST, from Debian's dataset-fashion-mnist (which .ci/run installs) or NOTEBOOKNET_FASHION_MNIST: the same
/// code reads it, trains on it and names its classes everywhere.
/// </summary>
[Collection("Console")]
public class FashionMnistTests
{
    private static readonly Lazy<(MnistSplit Train, MnistSplit Test)> Splits = new(() => ImageSet.Fashion.Load());

    [Fact]
    public void ItLoadsVerifiedWithTenClassesOfClothing()
    {
        (MnistSplit train, MnistSplit test) = Splits.Value;
        Assert.Equal((60_000, 10_000), (train.Count, test.Count));
        Assert.All(train.ToDataset(count: 60_000).LabelCounts(), count => Assert.Equal(6_000, count)); // balanced, as published
        Assert.Equal("Ankle boot", ImageSet.Fashion.ClassNames[9]);
        Assert.Equal(ImageSet.Fashion, ImageSet.Find("fashion"));
        Assert.Contains("known: mnist, fashion", Assert.Throws<ArgumentException>(() => ImageSet.Find("cifar")).Message);
        // Not MNIST: the same first test picture is not a digit's.
        Assert.NotEqual(Mnist.Load().Test.Pixels.AsSpan(0, 784).ToArray(), test.Pixels.AsSpan(0, 784).ToArray());
    }

    [Fact]
    public void AFolderWithoutItsFilesIsNamedWithTheSet()
    {
        using var empty = new TempFolder();
        var error = Assert.Throws<FileNotFoundException>(() => ImageSet.Fashion.Locate(empty.Path));
        Assert.Contains("Fashion-MNIST folder", error.Message);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = NotebookNet.Cli.Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void TrainEvaluateAndPredictCarryTheClassNames()
    {
        using var folder = new TempFolder();
        string model = folder.File("lenet5-fashion.nnw");
        (int code, string output, string error) = Run("train", "--recipe", "mlp256", "--dataset", "fashion", "--limit", "3000", "--epochs", "2", "--output", model);
        Assert.True(code == 0, error);
        Assert.Contains("Fashion-MNIST test accuracy", output);
        SavedModel saved = ModelFile.Load(model);
        Assert.Equal("Fashion-MNIST", saved.Input!.Dataset);
        Assert.Equal(ImageSet.Fashion.ClassNames, saved.Input.ClassNames);

        (code, output, _) = Run("evaluate", model);
        Assert.Equal(0, code);
        Assert.Contains("Fashion-MNIST test accuracy", output);
        Assert.Contains("classes: 0 T-shirt/top, 1 Trouser", output);
        (code, _, error) = Run("evaluate", model, "--dataset", "mnist");
        Assert.Equal(2, code);
        Assert.Contains("was trained on Fashion-MNIST", error);

        // A test picture of a trouser (label 1), saved as a PNG, dark on white as a photo would be: read back, framed, named.
        MnistSplit test = Splits.Value.Test;
        int index = Enumerable.Range(0, test.Count).First(i => test.Labels[i] == 1);
        var rgba = new byte[28 * 28 * 4];
        for (int i = 0; i < 784; i++)
        {
            byte v = (byte)(255 - test.Pixels[index * 784 + i]);
            (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]) = (v, v, v, 255);
        }
        File.WriteAllBytes(folder.File("trouser.png"), ImageDecoder.EncodePng(rgba, 28, 28));
        (code, output, error) = Run("predict", folder.File("trouser.png"), "--model", model);
        Assert.True(code == 0, error);
        Assert.Contains("trouser.png: Trouser with probability", output);
    }

    [Fact]
    public void ReproduceHasFashionRowsWithPublishedFigures()
    {
        (int code, string output, string error) = Run("reproduce", "--dataset", "fashion", "--quick", "--recipes", "mlp256", "--checkpoints", Path.Combine(Path.GetTempPath(), "notebooknet-fashion-" + Guid.NewGuid().ToString("N")));
        Assert.True(code == 0, error);
        Assert.Contains("| mlp256 | 88.33 %", output);
        Assert.Contains("Fashion-MNIST benchmark table: MLP 256-128-100", output);
        (code, _, error) = Run("reproduce", "--dataset", "fashion", "--quick", "--recipes", "rashid");
        Assert.Equal(2, code);
        Assert.Contains("Fashion-MNIST has no published figure for rashid", error);
    }
}
