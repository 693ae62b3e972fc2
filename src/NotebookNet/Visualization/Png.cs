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
        return Encode(gray, width, height);
    }

    /// <summary>
    /// Encodes <paramref name="gray"/> enlarged <paramref name="scale"/> times by repeating pixels, so a viewer that scales
    /// images smoothly (or strips the CSS that would stop it) still shows sharp pixels.
    /// </summary>
    /// <exception cref="ArgumentException">The size does not match the pixel count, or the scale is below 1.</exception>
    public static byte[] EncodeGray(ReadOnlySpan<byte> gray, int width, int height, int scale)
    {
        if (width <= 0 || height <= 0 || gray.Length != width * height)
        {
            throw new ArgumentException($"a {width}×{height} image needs {width * height} pixels, got {gray.Length}");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        if (scale == 1)
        {
            return Encode(gray, width, height);
        }
        var enlarged = new byte[width * scale * height * scale];
        for (int y = 0; y < height * scale; y++)
        {
            for (int x = 0; x < width * scale; x++)
            {
                enlarged[y * width * scale + x] = gray[y / scale * width + x / scale];
            }
        }
        return Encode(enlarged, width * scale, height * scale);
    }

    private static byte[] Encode(ReadOnlySpan<byte> gray, int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        gray.CopyTo(bitmap.GetPixelSpan());
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
