using Microsoft.ML.OnnxRuntime;
using DenseTensor = Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>;
using NotebookNet.Activations;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Layers;
using NotebookNet.Serialization;
using NotebookNet.Tensors;
using Tensor = NotebookNet.Tensors.Tensor;

namespace NotebookNet.Tests.Serialization;

/// <summary>
/// Every network the library builds, exported to ONNX and run in Microsoft's ONNX Runtime beside the library: on 100 MNIST
/// test digits the logits agree within 1e-4 and every argmax is the same.
/// </summary>
public class OnnxExportTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    public static TheoryData<string> Recipes => new(["w1", "rashid", "mlp256", "small-cnn", "lenet5", "best-cnn", "bn-cnn"]);

    private static float[] RunInOnnxRuntime(byte[] onnx, float[] images, int[] shape, string outputName = "output")
    {
        using var session = new InferenceSession(onnx);
        var input = new DenseTensor(images, shape);
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
        return results.Single(result => result.Name == outputName).AsEnumerable<float>().ToArray();
    }

    private static byte[] Export(Sequential model, ModelInput input, bool softmax = false)
    {
        using var buffer = new MemoryStream();
        ModelFile.ExportOnnx(model, input, buffer, softmax);
        return buffer.ToArray();
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void ARecipesNetworkGivesTheSameLogitsInOnnxRuntime(string name)
    {
        Recipe recipe = Recipe.All.Single(r => r.Name == name);
        // A few steps of training, so that the weights are not the initial ones.
        (Sequential model, _) = recipe.Train(mnist.Train.ToDataset(recipe.Scaling, count: 256), null, seed: 3,
            options: recipe.Options with { Epochs = 1, BatchSize = 32 });
        Dataset test = recipe.Shape(mnist.Test.ToDataset(recipe.Scaling, count: 100));
        model.IsTraining = false;
        Tensor expected = model.Forward(test.Images);

        float[] actual = RunInOnnxRuntime(Export(model, recipe.Input), test.Images.Data, [100, .. recipe.InputShape]);

        Assert.Equal(expected.Length, actual.Length);
        float largest = expected.Data.Zip(actual).Max(pair => MathF.Abs(pair.First - pair.Second));
        Assert.True(largest <= 1e-4f, $"{name}: the largest difference between the library's logits and ONNX Runtime's is {largest}");
        int[] ours = expected.ArgMaxRows();
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(ours[i], Array.IndexOf(actual, actual.AsSpan(i * 10, 10).ToArray().Max(), i * 10) - i * 10);
        }
    }

    [Fact]
    public void BatchNormAndAFinalSoftmaxAreExportedAndTheScalingIsRecorded()
    {
        var rng = new Rng(5);
        var model = new Sequential(new Conv2d(1, 4, 3, rng, padding: 1), new BatchNorm(4), new ReLU(), new MaxPool2d(2), new Flatten(),
            new Linear(4 * 14 * 14, 32, rng), new BatchNorm(32), new Tanh(), new Dropout(0.5f, rng), new Linear(32, 10, rng, bias: false), new Sigmoid());
        var input = ModelInput.Mnist(PixelScaling.Standardized, [1, 28, 28]);
        Dataset data = mnist.Test.ToDataset(PixelScaling.Standardized, count: 64).Reshape(1, 28, 28);
        model.Forward(data.Images); // training mode: the running statistics move away from 0 and 1
        model.IsTraining = false;
        Tensor expected = model.Forward(data.Images);
        Tensor probabilities = new Softmax().Forward(expected);

        byte[] onnx = Export(model, input, softmax: true);
        float[] actual = RunInOnnxRuntime(onnx, data.Images.Data, [64, 1, 28, 28], "probabilities");
        float largest = probabilities.Data.Zip(actual).Max(pair => MathF.Abs(pair.First - pair.Second));
        Assert.True(largest <= 1e-5f, $"largest difference {largest}");

        using var session = new InferenceSession(onnx);
        IDictionary<string, string> metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("Standardized: (x/255 − 0.1307)/0.3081", metadata["notebooknet.scaling"]);
        Assert.Equal("0,1,2,3,4,5,6,7,8,9", metadata["notebooknet.classes"]);
        Assert.Equal("NotebookNet", session.ModelMetadata.ProducerName);
        Assert.Equal(-1, session.InputMetadata["input"].Dimensions[0]); // the batch dimension is symbolic
        Assert.Equal("N", session.InputMetadata["input"].SymbolicDimensions[0]);
    }

    [Fact]
    public void ALayerWithoutAnOnnxCounterpartIsRefusedByNameAndNoFileIsWritten()
    {
        using var folder = new TempFolder();
        var model = new Sequential(new Linear(784, 10, new Rng(1)), new Doubler());
        var error = Assert.Throws<NotSupportedException>(() =>
            ModelFile.ExportOnnx(model, ModelInput.Mnist(PixelScaling.ZeroToOne, [784]), folder.File("m.onnx")));
        Assert.Contains("Doubler", error.Message);
        Assert.False(File.Exists(folder.File("m.onnx")));

        // And ONNX Runtime refuses a damaged export with its own error, which names the problem.
        byte[] onnx = Export(new Sequential(new Linear(784, 10, new Rng(1))), ModelInput.Mnist(PixelScaling.ZeroToOne, [784]));
        Assert.ThrowsAny<OnnxRuntimeException>(() => new InferenceSession(onnx[..(onnx.Length / 2)]));
    }

    [Fact]
    public void TheExportCommandWritesAModelOnnxRuntimeRunsAndRefusesToReplaceAFile()
    {
        using var folder = new TempFolder();
        Recipe recipe = Recipe.SmallCnn;
        Sequential model = recipe.CreateModel(new Rng(2));
        ModelFile.Save(model, folder.File("cnn.nnw"), recipe.Input);
        var output = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["export", folder.File("cnn.nnw"), "--onnx", folder.File("cnn.onnx"), "--softmax"], output, TextWriter.Null));
        Assert.Contains("output \"probabilities\" (N, 10)", output.ToString());
        Dataset test = recipe.Shape(mnist.Test.ToDataset(recipe.Scaling, count: 8));
        float[] probabilities = RunInOnnxRuntime(File.ReadAllBytes(folder.File("cnn.onnx")), test.Images.Data, [8, 1, 28, 28], "probabilities");
        Assert.Equal(8f, probabilities.Sum(), 3);

        var error = new StringWriter();
        Assert.Equal(1, NotebookNet.Cli.Cli.Run(["export", folder.File("cnn.nnw"), "--onnx", folder.File("cnn.onnx")], TextWriter.Null, error));
        Assert.Contains("exists", error.ToString());
    }

    private sealed class Doubler : ILayer
    {
        public IReadOnlyList<Parameter> Parameters => [];
        public bool IsTraining { get; set; }
        public LayerSpec Spec => new(nameof(Doubler));
        public Tensor Forward(Tensor input) => input;
        public Tensor Backward(Tensor outputGradient) => outputGradient;
        public int[] OutputShape(IReadOnlyList<int> inputShape) => inputShape.ToArray();
    }
}
