using NotebookNet.Preprocessing;
using SkiaSharp;

namespace NotebookNet.Tests.Preprocessing;

public class ImageDecoderTests
{
    /// <summary>A 60×40 RGBA picture: a black (or white) bar on <paramref name="paper"/>.</summary>
    private static byte[] Bar(byte ink, byte paperValue, byte paperAlpha)
    {
        byte[] rgba = Pictures.Rgba(60, 40, paperValue, paperValue, paperValue, paperAlpha);
        for (int y = 10; y < 30; y++)
        {
            for (int x = 25; x < 32; x++)
            {
                int i = 4 * (y * 60 + x);
                (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = (ink, ink, ink, 255);
            }
        }
        return rgba;
    }

    [Fact]
    public void PngRoundTripKeepsThePixels()
    {
        byte[] rgba = Bar(0, 255, 255);
        GrayImage decoded = ImageDecoder.Decode(ImageDecoder.EncodePng(rgba, 60, 40));
        Assert.Equal((60, 40), (decoded.Width, decoded.Height));
        Assert.Equal(0f, decoded[28, 20], 3);
        Assert.Equal(1f, decoded[5, 5], 3);
    }

    [Fact]
    public void BmpFilesDecode()
    {
        // A 24-bit BMP written by hand: 8×6, white with a black column at x = 3. Rows bottom-up, padded to 4 bytes.
        const int Width = 8, Height = 6, RowBytes = 24;
        var bmp = new byte[54 + RowBytes * Height];
        "BM"u8.CopyTo(bmp);
        BitConverter.GetBytes(bmp.Length).CopyTo(bmp, 2);
        BitConverter.GetBytes(54).CopyTo(bmp, 10);          // pixel data offset
        BitConverter.GetBytes(40).CopyTo(bmp, 14);          // BITMAPINFOHEADER
        BitConverter.GetBytes(Width).CopyTo(bmp, 18);
        BitConverter.GetBytes(Height).CopyTo(bmp, 22);
        BitConverter.GetBytes((short)1).CopyTo(bmp, 26);    // planes
        BitConverter.GetBytes((short)24).CopyTo(bmp, 28);   // bits per pixel
        for (int row = 0; row < Height; row++)
        {
            for (int x = 0; x < Width; x++)
            {
                byte value = x == 3 ? (byte)0 : (byte)255;
                bmp[54 + row * RowBytes + 3 * x] = bmp[54 + row * RowBytes + 3 * x + 1] = bmp[54 + row * RowBytes + 3 * x + 2] = value;
            }
        }
        GrayImage decoded = ImageDecoder.Decode(bmp, "column.bmp");
        Assert.Equal((Width, Height), (decoded.Width, decoded.Height));
        Assert.Equal(0f, decoded[3, 2], 3);
        Assert.Equal(1f, decoded[5, 2], 3);
    }

    [Fact]
    public void TransparentBackgroundIsBackgroundWhateverTheInkColour()
    {
        var preprocessor = new DigitPreprocessor();
        PreprocessedDigit opaque = preprocessor.Process(ImageDecoder.FromRgba(Bar(0, 255, 255), 60, 40));
        // A canvas as a browser gives it: transparent black (0, 0, 0, 0) around the strokes.
        PreprocessedDigit blackInk = preprocessor.Process(ImageDecoder.FromRgba(Bar(0, 0, 0), 60, 40));
        PreprocessedDigit whiteInk = preprocessor.Process(ImageDecoder.FromRgba(Bar(255, 0, 0), 60, 40));
        Assert.True(opaque.Found && blackInk.Found && whiteInk.Found);
        Assert.True(Pictures.MeanAbsoluteError(opaque.Image, blackInk.Image) < 1e-4f);
        Assert.True(Pictures.MeanAbsoluteError(opaque.Image, whiteInk.Image) < 1e-4f);
    }

    [Fact]
    public void AnEntirelyTransparentCanvasIsBlank()
    {
        GrayImage picture = ImageDecoder.FromRgba(Pictures.Rgba(300, 150, 0, 0, 0, 0), 300, 150);
        Assert.False(new DigitPreprocessor().Process(picture).Found);
    }

    [Fact]
    public void LargeJpegIsShrunkWhileDecoding()
    {
        var info = new SKImageInfo(4000, 3000, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        bitmap.Erase(SKColors.White);
        using (var canvas = new SKCanvas(bitmap))
        {
            using var paint = new SKPaint { Color = SKColors.Black, StrokeWidth = 80, Style = SKPaintStyle.Stroke };
            canvas.DrawCircle(2000, 1500, 600, paint);
        }
        using SKData jpeg = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        GrayImage decoded = ImageDecoder.Decode(jpeg.ToArray(), "photo.jpg");
        // Decoded at half size (2000×1500), then averaged over 2×2 blocks.
        Assert.Equal((1000, 750), (decoded.Width, decoded.Height));
        Assert.True(new DigitPreprocessor().Process(decoded).Found);
    }

    [Fact]
    public void BadFilesGetErrorsThatNameThem()
    {
        using var folder = new TempFolder();
        string missing = folder.File("missing.png");
        Assert.Contains("missing.png", Assert.Throws<FileNotFoundException>(() => ImageDecoder.Load(missing)).Message);

        string empty = folder.File("empty.png");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty.png: the file is empty", Assert.Throws<InvalidDataException>(() => ImageDecoder.Load(empty)).Message);

        string text = folder.File("notes.png");
        File.WriteAllText(text, "this is not a picture of a digit");
        InvalidDataException notImage = Assert.Throws<InvalidDataException>(() => ImageDecoder.Load(text));
        Assert.Contains("notes.png: not an image", notImage.Message);

        byte[] png = ImageDecoder.EncodePng(Bar(0, 255, 255), 60, 40);
        string truncated = folder.File("truncated.png");
        File.WriteAllBytes(truncated, png[..(png.Length / 2)]);
        InvalidDataException cut = Assert.Throws<InvalidDataException>(() => ImageDecoder.Load(truncated));
        Assert.Contains("truncated.png", cut.Message);
    }

    [Fact]
    public void RgbaBufferOfTheWrongLengthIsRejected()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => ImageDecoder.FromRgba(new byte[100], 10, 10));
        Assert.Contains("needs 400 bytes, got 100", error.Message);
    }

    [Fact]
    public void ResizeAveragesWhenShrinkingAndKeepsConstantsConstant()
    {
        var image = new GrayImage(8, 4);
        for (int x = 0; x < 8; x++)
        {
            for (int y = 0; y < 4; y++)
            {
                image[x, y] = x % 2; // stripes
            }
        }
        GrayImage half = image.Resize(4, 2);
        for (int y = 0; y < 2; y++)
        {
            Assert.Equal(0.5f, half[1, y], 4); // anti-aliased: stripes average to gray (away from the edges)
            Assert.Equal(0.5f, half[2, y], 4);
        }
        GrayImage flat = Pictures.Blank(7, 5, 0.3f).Resize(23, 2);
        Assert.All(flat.Pixels, value => Assert.Equal(0.3f, value, 5));
    }
}

public class HugePictureTests
{
    /// <summary>
    /// A valid, all-white PNG of <paramref name="width"/>×<paramref name="height"/>, 1 bit a pixel: large in pixels,
    /// small on disk (deflate squeezes the blank rows), as a new user's accidental scan might be.
    /// </summary>
    private static byte[] BlankPng(int width, int height)
    {
        static void Chunk(Stream output, string type, byte[] data)
        {
            byte[] typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
            output.Write([(byte)(data.Length >> 24), (byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length]);
            output.Write(typeBytes);
            output.Write(data);
            uint crc = Crc32([.. typeBytes, .. data]);
            output.Write([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
        }
        var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", [(byte)(width >> 24), (byte)(width >> 16), (byte)(width >> 8), (byte)width,
            (byte)(height >> 24), (byte)(height >> 16), (byte)(height >> 8), (byte)height, 1, 0, 0, 0, 0]);
        var compressed = new MemoryStream();
        using (var deflate = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            byte[] row = new byte[1 + (width + 7) / 8];
            Array.Fill(row, (byte)0xFF);
            row[0] = 0;                                              // filter: none
            for (int y = 0; y < height; y++)
            {
                deflate.Write(row);
            }
        }
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
            }
        }
        return ~crc;
    }

    [Fact]
    public void A40000By30000PngIsRefusedWithAMessageNotAnOverflow()
    {
        // Found by a new user: predict died with OverflowException in SKImageInfo.BytesSize on this picture.
        byte[] png = BlankPng(40_000, 30_000);
        Assert.True(png.Length < 3_000_000, $"{png.Length} bytes on disk");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => ImageDecoder.Decode(png, "scan.png"));
        Assert.Contains("scan.png: a 40000×30000 Png image is too large to read", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 50_000_000, "refused before allocating for its pixels");
    }

    [Fact]
    public void APictureUnderTheLimitStillDecodes()
    {
        GrayImage picture = ImageDecoder.Decode(BlankPng(4_000, 3_000), "big.png");   // 12 million pixels
        Assert.True(Math.Max(picture.Width, picture.Height) <= ImageDecoder.MaxSide);
        Assert.Equal(1f, picture.Pixels.Min());
    }
}
