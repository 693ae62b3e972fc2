using NotebookNet.Data;
using NotebookNet.Tensors;
using NotebookNet.Tests.Tensors;

namespace NotebookNet.Tests.Data;

[Collection(nameof(MatMulSettings))]
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
    public void TransformRefusesImagesThatAreNotSideBySide()
    {
        var error = Assert.Throws<ArgumentException>(() => Augmentation.Transform(new float[27 * 28], new float[28 * 28], 28, 0.1f, 1f, 0f, 0f));
        Assert.Contains("side 28", error.Message);
        Assert.Throws<ArgumentException>(() => Augmentation.Transform(new float[25], new float[24], 5, 0f, 1f, 0f, 0f));
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

    [Fact]
    public void GaussianKernelIsNormalisedAndSymmetric()
    {
        float[] kernel = Augmentation.GaussianKernel(4f);
        Assert.Equal(25, kernel.Length); // 3σ = 12 each side
        Assert.Equal(1f, kernel.Sum(), 5);
        Assert.Equal(kernel[0], kernel[^1]);
        Assert.Equal(kernel.Max(), kernel[12]);
    }

    [Fact]
    public void ElasticFieldIsSmoothAndAsStrongAsAlphaSays()
    {
        var field = new float[28 * 28];
        Augmentation.DisplacementField(field, 28, Augmentation.GaussianKernel(4f), alpha: 34f, new Rng(3));
        double rms = Math.Sqrt(field.Average(v => v * v));
        // Uniform noise (σ = 0.577) through a σ = 4 Gaussian keeps about 0.577 / (√(4π)·4) ≈ 0.04 of its spread; × 34 ≈ 1.4 px.
        Assert.InRange(rms, 0.5, 3.0);
        double neighbourChange = Math.Sqrt(Enumerable.Range(0, 27 * 28).Select(i => i + i / 27).Select(i => Math.Pow(field[i + 1] - field[i], 2)).Average());
        Assert.True(neighbourChange < rms / 3, $"neighbouring pixels move by {neighbourChange:F3}, the field's spread is {rms:F3}: not smooth");
    }

    [Fact]
    public void ElasticDistortionIsSeededKeepsTheInkAndChangesTheDigit()
    {
        Tensor digit = Tensor.Full(0f, 1, 1, 28, 28);
        for (int y = 6; y < 22; y++)
        {
            digit[0, 0, y, 13] = 1f;
            digit[0, 0, y, 14] = 1f;
        }
        var elastic = new Augmentation(0f, 0f, 0f) { ElasticAlpha = 34f, ElasticSigma = 4f };
        Tensor a = digit.Clone(), b = digit.Clone(), c = digit.Clone();
        elastic.Apply(a, new Rng(5));
        elastic.Apply(b, new Rng(5));
        elastic.Apply(c, new Rng(6));
        Assert.Equal(a.Data, b.Data);
        Assert.NotEqual(a.Data, c.Data);
        Assert.NotEqual(digit.Data, a.Data);
        Assert.InRange(a.Data.Sum(), 0.8f * digit.Data.Sum(), 1.2f * digit.Data.Sum());
    }

    [Fact]
    public void WithoutElasticTheRandomSequenceIsUnchanged()
    {
        // Recipes trained before elastic distortion existed must give the same numbers.
        Tensor a = Tensor.RandomUniform(new Rng(1), 0, 1, 3, 784), b = a.Clone();
        var rngA = new Rng(9);
        var rngB = new Rng(9);
        new Augmentation().Apply(a, rngA);
        new Augmentation() { ElasticSigma = 2f }.Apply(b, rngB);
        Assert.Equal(a.Data, b.Data);
        Assert.Equal(rngA.NextUInt32(), rngB.NextUInt32());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ApplyDrawsEachImagesDistortionInOrderWhateverTheThreads(bool elastic)
    {
        var augmentation = new Augmentation(MaxShift: 2f, MaxRotationDegrees: 10f, MaxScale: 0.1f) { ElasticAlpha = elastic ? 8f : 0f };
        Tensor batch = Tensor.RandomUniform(new Rng(3), 0, 1, 9, 1, 28, 28);
        // The reference, one image after another: its four draws (and its two fields), then the transform.
        Tensor expected = batch.Clone();
        var rng = new Rng(5);
        float[] kernel = Augmentation.GaussianKernel(augmentation.ElasticSigma);
        for (int n = 0; n < 9; n++)
        {
            float angle = rng.NextFloat(-10f, 10f) * MathF.PI / 180f;
            float scale = 1f + rng.NextFloat(-0.1f, 0.1f);
            float shiftX = rng.NextFloat(-2f, 2f), shiftY = rng.NextFloat(-2f, 2f);
            float[] fieldX = new float[elastic ? 784 : 0], fieldY = new float[elastic ? 784 : 0];
            if (elastic)
            {
                Augmentation.DisplacementField(fieldX, 28, kernel, 8f, rng);
                Augmentation.DisplacementField(fieldY, 28, kernel, 8f, rng);
            }
            Augmentation.Transform(batch.Data.AsSpan(n * 784, 784), expected.Data.AsSpan(n * 784, 784), 28, angle, scale, shiftX, shiftY, fieldX, fieldY);
        }
        foreach (int threads in new[] { 1, 2 })
        {
            Tensor distorted = batch.Clone();
            MatMulSettings.With(MatMul.UseVector512, threads, () => augmentation.Apply(distorted, new Rng(5)));
            Assert.Equal(expected.Data, distorted.Data);
        }
    }
}
