using NotebookNet.Data;
using NotebookNet.Preprocessing;

namespace NotebookNet.Tests.Preprocessing;

/// <summary>Test pictures: MNIST digits enlarged and placed on paper, lines, blanks.</summary>
internal static class Pictures
{
    /// <summary>Test digit <paramref name="index"/> as a 28×28 image, white ink on black.</summary>
    public static GrayImage Mnist(MnistSplit split, int index) =>
        GrayImage.FromBytes(split.Pixels.AsSpan(index * NotebookNet.Data.Mnist.Pixels, NotebookNet.Data.Mnist.Pixels), 28, 28);

    /// <summary>
    /// A <paramref name="width"/>×<paramref name="height"/> sheet of paper with <paramref name="digit"/> enlarged to
    /// <paramref name="size"/>² and its top-left corner at (<paramref name="x"/>, <paramref name="y"/>) — which may lie
    /// partly off the sheet. Dark ink on white unless <paramref name="lightOnDark"/>.
    /// </summary>
    public static GrayImage OnPaper(GrayImage digit, int width, int height, int x, int y, int size, bool lightOnDark = false)
    {
        GrayImage big = digit.Resize(size, size);
        var paper = new GrayImage(width, height);
        for (int py = 0; py < height; py++)
        {
            for (int px = 0; px < width; px++)
            {
                int dx = px - x, dy = py - y;
                float ink = dx >= 0 && dy >= 0 && dx < size && dy < size ? big[dx, dy] : 0f;
                paper[px, py] = lightOnDark ? ink : 1f - ink;
            }
        }
        return paper;
    }

    /// <summary>
    /// The digit's ink cropped to its bounding box and fitted into a <paramref name="side"/>² picture (the longer side
    /// touching the frame), dark on white, sent through a PNG file: a small picture whose digit fills it.
    /// </summary>
    public static GrayImage Tight(GrayImage digit, int side)
    {
        var (x, y, width, height) = DigitPreprocessor.BoundingBox(digit)!.Value;
        (int fitWidth, int fitHeight) = DigitPreprocessor.Fit(width, height, side);
        GrayImage ink = digit.Crop(x, y, width, height).Resize(fitWidth, fitHeight);
        var picture = new GrayImage(side, side);
        int left = (side - fitWidth) / 2, top = (side - fitHeight) / 2;
        for (int py = 0; py < side; py++)
        {
            for (int px = 0; px < side; px++)
            {
                int ix = px - left, iy = py - top;
                picture[px, py] = 1f - (ix >= 0 && iy >= 0 && ix < fitWidth && iy < fitHeight ? ink[ix, iy] : 0f);
            }
        }
        return ImageDecoder.Decode(NotebookNet.Visualization.Png.EncodeGray(picture.ToBytes(), side, side), $"tight-{side}.png");
    }

    /// <summary>A white sheet.</summary>
    public static GrayImage Blank(int width, int height, float value = 1f)
    {
        var paper = new GrayImage(width, height);
        Array.Fill(paper.Pixels, value);
        return paper;
    }

    /// <summary>Mean absolute difference per pixel.</summary>
    public static float MeanAbsoluteError(GrayImage a, GrayImage b)
    {
        Assert.Equal((a.Width, a.Height), (b.Width, b.Height));
        double sum = 0;
        for (int i = 0; i < a.Pixels.Length; i++)
        {
            sum += Math.Abs(a.Pixels[i] - b.Pixels[i]);
        }
        return (float)(sum / a.Pixels.Length);
    }

    /// <summary>An RGBA buffer of one colour.</summary>
    public static byte[] Rgba(int width, int height, byte red, byte green, byte blue, byte alpha)
    {
        var rgba = new byte[width * height * 4];
        for (int i = 0; i < rgba.Length; i += 4)
        {
            (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = (red, green, blue, alpha);
        }
        return rgba;
    }
}
