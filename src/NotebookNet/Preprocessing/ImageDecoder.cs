using SkiaSharp;

namespace NotebookNet.Preprocessing;

/// <summary>
/// Turns image files (PNG, JPEG, BMP, GIF, WebP — decoded by SkiaSharp) and raw RGBA buffers, as a browser canvas
/// gives them, into a <see cref="GrayImage"/> whose longer side is at most <see cref="MaxSide"/> pixels.
/// A transparent background counts as background. Notebook 07 reads its pictures through it (<c>DigitClassifier.Predict(file)</c>).
/// </summary>
public static class ImageDecoder
{
    /// <summary>
    /// The longest side kept: larger images are averaged down while they are converted, so a 4000×3000 photo costs a
    /// 1024×768 working image. A digit needs 20 pixels in the end; 1024 keeps a digit that fills 1/20 of the photo.
    /// </summary>
    public const int MaxSide = 1024;

    /// <summary>
    /// The most pixels a picture may have once decoded: 25 million (100 MB of RGBA). A JPEG counts at the size it is
    /// shrunk to while decoding (down to an eighth a side), so phone photos pass; a PNG or BMP counts at full size, so a
    /// 40000×30000 PNG — 1.3 MB on disk — is refused with a message instead of exhausting memory.
    /// </summary>
    public const long MaxDecodedPixels = 25_000_000;

    /// <summary>Reads and decodes an image file.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is empty, not an image, or truncated; the message names it.</exception>
    public static GrayImage Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such image file", path);
        }
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes the bytes of an image file; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="InvalidDataException">The bytes are empty, not an image, or truncated.</exception>
    public static GrayImage Decode(ReadOnlySpan<byte> bytes, string name = "image")
    {
        if (bytes.IsEmpty)
        {
            throw new InvalidDataException($"{name}: the file is empty, expected a PNG, JPEG, BMP, GIF or WebP image");
        }
        using SKData data = SKData.CreateCopy(bytes);
        using SKCodec codec = SKCodec.Create(data)
            ?? throw new InvalidDataException($"{name}: not an image SkiaSharp can decode (expected PNG, JPEG, BMP, GIF or WebP; " +
                $"the file starts {Convert.ToHexString(bytes[..Math.Min(8, bytes.Length)])})");
        SKImageInfo stored = codec.Info;
        if (stored.Width <= 0 || stored.Height <= 0)
        {
            throw new InvalidDataException($"{name}: the image claims a size of {stored.Width}×{stored.Height}");
        }

        // JPEG decoders can shrink by 1/2, 1/4 or 1/8 while decoding; others give back the stored size.
        float shrink = Math.Min(1f, 2f * MaxSide / Math.Max(stored.Width, stored.Height));
        SKSizeI size = codec.GetScaledDimensions(shrink);
        if ((long)size.Width * size.Height > MaxDecodedPixels)
        {
            throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{name}: a {stored.Width}×{stored.Height} {codec.EncodedFormat} image is too large to read ({(double)size.Width * size.Height / 1e6:F0} million pixels; the limit is {MaxDecodedPixels / 1_000_000} million): save it smaller, or as JPEG, which is shrunk while decoding"));
        }
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        SKCodecResult result;
        unsafe
        {
            fixed (byte* pixels = rgba)
            {
                result = codec.GetPixels(info, (IntPtr)pixels);
            }
        }
        if (result != SKCodecResult.Success)
        {
            string reason = result == SKCodecResult.IncompleteInput ? "the file is truncated" : $"decoding failed ({result})";
            throw new InvalidDataException($"{name}: {reason}; a {stored.Width}×{stored.Height} {codec.EncodedFormat} image was expected");
        }
        return FromRgba(rgba, size.Width, size.Height);
    }

    /// <summary>
    /// An RGBA buffer (4 bytes a pixel, not premultiplied, row by row — what a canvas's <c>getImageData</c> gives) as
    /// luminance 0..1. Where the buffer has transparent pixels, they are composed over the colour opposite to the ink,
    /// so black strokes on a transparent canvas and white strokes on one both stand out.
    /// </summary>
    /// <exception cref="ArgumentException">The buffer's length is not width·height·4.</exception>
    public static GrayImage FromRgba(ReadOnlySpan<byte> rgba, int width, int height, int maxSide = MaxSide)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentException($"an RGBA image needs positive sides, got {width}×{height}");
        }
        if (rgba.Length != (long)width * height * 4)
        {
            throw new ArgumentException($"a {width}×{height} RGBA image needs {(long)width * height * 4} bytes, got {rgba.Length}");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSide, 1);

        // Pass 1: is anything transparent, and how light is the paint where it is opaque?
        bool transparent = false;
        double paintLuminance = 0, paintAlpha = 0;
        for (int i = 0; i < rgba.Length; i += 4)
        {
            byte alpha = rgba[i + 3];
            if (alpha < 255)
            {
                transparent = true;
            }
            paintLuminance += Luminance(rgba[i], rgba[i + 1], rgba[i + 2]) * alpha;
            paintAlpha += alpha;
        }
        float background = paintAlpha > 0 && paintLuminance / paintAlpha > 0.5 ? 0f : 1f;

        // Pass 2: luminance composed over the background, averaged over factor × factor blocks.
        int factor = (Math.Max(width, height) + maxSide - 1) / maxSide;
        int outWidth = (width + factor - 1) / factor, outHeight = (height + factor - 1) / factor;
        var image = new GrayImage(outWidth, outHeight);
        var sums = new float[outWidth];
        var counts = new int[outWidth];
        for (int oy = 0; oy < outHeight; oy++)
        {
            Array.Clear(sums);
            Array.Clear(counts);
            for (int y = oy * factor; y < Math.Min(height, (oy + 1) * factor); y++)
            {
                ReadOnlySpan<byte> row = rgba.Slice(y * width * 4, width * 4);
                for (int x = 0; x < width; x++)
                {
                    float luminance = Luminance(row[4 * x], row[4 * x + 1], row[4 * x + 2]);
                    if (transparent)
                    {
                        float alpha = row[4 * x + 3] / 255f;
                        luminance = alpha * luminance + (1f - alpha) * background;
                    }
                    sums[x / factor] += luminance;
                    counts[x / factor]++;
                }
            }
            for (int ox = 0; ox < outWidth; ox++)
            {
                image[ox, oy] = sums[ox] / counts[ox];
            }
        }
        return image;
    }

    /// <summary>Encodes an RGBA buffer as a PNG file (used to write generated drawings).</summary>
    public static byte[] EncodePng(ReadOnlySpan<byte> rgba, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        rgba.CopyTo(bitmap.GetPixelSpan());
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Rec. 601 luma of an sRGB pixel, 0..1.</summary>
    private static float Luminance(byte red, byte green, byte blue) => (0.299f * red + 0.587f * green + 0.114f * blue) / 255f;
}
