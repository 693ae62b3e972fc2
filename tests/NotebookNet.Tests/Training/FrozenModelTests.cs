using NotebookNet.Activations;
using NotebookNet.Layers;
using NotebookNet.Tensors;
using NotebookNet.Training;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace NotebookNet.Tests.Training;

public class FrozenModelTests
{
    [Fact]
    public void AnExampleAloneGetsTheScoresItGetsInABatch()
    {
        // A dense network on inputs four-fifths zeros (as MNIST digits are), and a convolutional one with batch
        // normalisation and dropout (evaluation mode: running statistics, no dropping): each example's scores from the
        // frozen copy must be the batch's, to the last bit.
        var rng = new Rng(4);
        var dense = new Sequential(new Linear(784, 128, new Rng(1)), new ReLU(), new Linear(128, 10, new Rng(2)));
        Tensor images = MostlyZeros(rng, 40, 784);
        AssertSameAsBatch(dense, images, [784]);

        var batchNorm = new BatchNorm(4);
        Tensor.RandomUniform(rng, 0.5f, 2f, 4).Data.CopyTo(batchNorm.Buffers[1].Value.Data, 0);   // a running variance not all ones
        var convolutional = new Sequential(
            new Conv2d(1, 4, 3, new Rng(3)), batchNorm, new ReLU(), new MaxPool2d(2), new Flatten(),
            new Dropout(0.3f, new Rng(5)), new Linear(4 * 5 * 5, 10, new Rng(6)));
        AssertSameAsBatch(convolutional, MostlyZeros(rng, 12, 144).Reshape(12, 1, 12, 12), [1, 12, 12]);
    }

    [Fact]
    public void ItIsACopyThatLaterTrainingDoesNotReach()
    {
        var model = new Sequential(new Linear(6, 3, new Rng(1)));
        float[] example = [1f, 0f, 2f, 0f, -1f, 0.5f];
        var frozen = new FrozenModel(model, 6);
        float[] before = frozen.Scores(example);
        ((Linear)model.Layers[0]).Weight.Value.Data[2] += 1f;   // the weight meeting example[2] = 2
        Assert.Equal(before, frozen.Scores(example));
        Assert.Equal(before[0] + 2f, new FrozenModel(model, 6).Scores(example)[0], 5);
    }

    [Fact]
    public void WrongExamplesAreRefusedNamingTheShape()
    {
        var model = new Sequential(new Linear(784, 10, new Rng(1)));
        var frozen = new FrozenModel(model, 784);
        var error = Assert.Throws<ArgumentException>(() => frozen.Scores(new float[783]));
        Assert.Contains("shape (784,) (784 values)", error.Message);
        Assert.Contains("783", error.Message);
        Assert.Throws<ArgumentException>(() => new FrozenModel(model, 1, 28, 28));
        Assert.Equal(10, frozen.OutputLength);
        Assert.Equal(frozen.Classify(new float[784]), TensorPrimitives.IndexOfMax<float>(frozen.Scores(new float[784])));
    }

    private static void AssertSameAsBatch(Sequential model, Tensor examples, int[] exampleShape)
    {
        Tensor batch;
        using (model.EvaluationMode())
        {
            batch = model.Forward(examples).Clone();
        }
        var frozen = new FrozenModel(model, exampleShape);
        int length = frozen.ExampleLength, outputs = frozen.OutputLength;
        for (int i = 0; i < examples.Size(0); i++)
        {
            float[] alone = frozen.Scores(examples.Data.AsSpan(i * length, length));
            Assert.True(alone.AsSpan().SequenceEqual(batch.Data.AsSpan(i * outputs, outputs)),
                $"{model}: example {i} alone [{string.Join(", ", alone)}], in the batch [{string.Join(", ", batch.Data.AsSpan(i * outputs, outputs).ToArray())}]");
        }
    }

    private static Tensor MostlyZeros(Rng rng, int rows, int columns)
    {
        Tensor values = Tensor.RandomUniform(rng, 0f, 1f, rows, columns);
        for (int i = 0; i < values.Length; i++)
        {
            values.Data[i] = rng.NextFloat() < 0.8f ? 0f : values.Data[i];
        }
        return values;
    }
}
