using SkiaSharp;

namespace NotebookNet.Visualization;

/// <summary>PNG files of grayscale images (digits, weights, feature maps) for notebooks, encoded by SkiaSharp.</summary>
public static class Png
{
    /// <summary>Encodes <paramref name="gray"/> (row-major, 0 = black, 255 = white) as a PNG file.</summary>
    /// <exception cref="ArgumentException">The size does not match the pixel count.</exception>
    public static byte[] EncodeGray(ReadOnlySpan<byte> gray, int width, int height)
    {
        if (width <= 0 || height <= 0 || gray.Length != width * height)
        {
            throw new ArgumentException($"a {width}×{height} image needs {width * height} pixels, got {gray.Length}");
        }
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        gray.CopyTo(bitmap.GetPixelSpan());
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
