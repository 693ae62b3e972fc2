using NotebookNet.Data;
using NotebookNet.Tensors;

namespace NotebookNet.Tests.Data;

public class AugmentationTests
{
    private static float[] Square(int side, Func<int, int, float> pixel)
    {
        var image = new float[side * side];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                image[y * side + x] = pixel(x, y);
        return image;
    }

    [Fact]
    public void NoDistortionIsTheIdentity()
    {
        float[] image = Tensor.RandomUniform(new Rng(1), 0, 1, 28 * 28).Data;
        var result = new float[image.Length];
        Augmentation.Transform(image, result, 28, angle: 0f, scale: 1f, shiftX: 0f, shiftY: 0f);
        for (int i = 0; i < image.Length; i++)
        {
            Assert.Equal(image[i], result[i], 5);
        }
    }

    [Fact]
    public void AWholePixelShiftMovesTheInkAndFillsWithBackground()
    {
        float[] image = Square(5, (x, y) => x == 2 && y == 2 ? 1f : 0f);
        var result = new float[25];
        Augmentation.Transform(image, result, 5, 0f, 1f, shiftX: 1f, shiftY: -1f);
        Assert.Equal(1f, result[1 * 5 + 3], 5);
        Assert.Equal(1f, result.Sum(), 5);
    }

    [Fact]
    public void AQuarterTurnRotatesAboutTheCentre()
    {
        // A bar along the top row becomes a bar along a side column.
        float[] image = Square(5, (x, y) => y == 0 ? 1f : 0f);
        var result = new float[25];
        Augmentation.Transform(image, result, 5, MathF.PI / 2, 1f, 0f, 0f);
        float[] column0 = Enumerable.Range(0, 5).Select(y => result[y * 5]).ToArray();
        float[] column4 = Enumerable.Range(0, 5).Select(y => result[y * 5 + 4]).ToArray();
        Assert.True(column0.All(v => v > 0.99f) || column4.All(v => v > 0.99f), string.Join(" ", result));
        Assert.Equal(5f, result.Sum(), 4);
    }

    [Fact]
    public void ApplyIsSeededAndKeepsTheBackgroundOfStandardizedImages()
    {
        float background = Mnist.Scale(0, PixelScaling.Standardized);
        Tensor batch = Tensor.Full(background, 4, 1, 28, 28);
        batch[0, 0, 14, 14] = 2.8f;
        Tensor copy = batch.Clone();
        var augmentation = new Augmentation(MaxShift: 3f, MaxRotationDegrees: 15f, MaxScale: 0.15f);
        augmentation.Apply(batch, new Rng(7));
        augmentation.Apply(copy, new Rng(7));
        Assert.Equal(batch.Data, copy.Data);
        Assert.All(batch.Data.Skip(784), v => Assert.Equal(background, v, 5));
        Assert.NotEqual(2.8f, batch[0, 0, 14, 14]);
    }
}
