namespace NotebookNet.Preprocessing;

/// <summary>
/// A grayscale image of any size: row-major floats, 0 = black, 1 = white (or, after preprocessing, 0 = background,
/// 1 = ink). Introduced in notebook 07.
/// </summary>
public sealed class GrayImage
{
    /// <summary>An image of <paramref name="width"/> × <paramref name="height"/> pixels.</summary>
    /// <exception cref="ArgumentException">A side is not positive or the pixel count does not match.</exception>
    public GrayImage(int width, int height, float[]? pixels = null)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ArgumentException($"an image needs positive sides, got {width}×{height}");
        }
        if ((long)width * height > Array.MaxLength)
        {
            throw new ArgumentException($"a {width}×{height} image has too many pixels");
        }
        if (pixels is not null && pixels.Length != width * height)
        {
            throw new ArgumentException($"a {width}×{height} image needs {width * height} pixels, got {pixels.Length}");
        }
        Width = width;
        Height = height;
        Pixels = pixels ?? new float[width * height];
    }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>The pixels, row by row: pixel (x, y) is at <c>y·Width + x</c>.</summary>
    public float[] Pixels { get; }

    /// <summary>The pixel in column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    public float this[int x, int y]
    {
        get => Pixels[y * Width + x];
        set => Pixels[y * Width + x] = value;
    }

    /// <summary>An image from bytes, 0 → 0 and 255 → 1 (an MNIST digit gives white ink on black).</summary>
    public static GrayImage FromBytes(ReadOnlySpan<byte> pixels, int width, int height)
    {
        var image = new GrayImage(width, height);
        if (pixels.Length != image.Pixels.Length)
        {
            throw new ArgumentException($"a {width}×{height} image needs {image.Pixels.Length} bytes, got {pixels.Length}");
        }
        for (int i = 0; i < pixels.Length; i++)
        {
            image.Pixels[i] = pixels[i] / 255f;
        }
        return image;
    }

    /// <summary>The pixels as bytes, 0 → 0 and 1 → 255, clamped.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Pixels.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)Math.Clamp(MathF.Round(Pixels[i] * 255f), 0f, 255f);
        }
        return bytes;
    }

    /// <summary>A copy.</summary>
    public GrayImage Clone() => new(Width, Height, (float[])Pixels.Clone());

    /// <summary>The rectangle from column <paramref name="x"/>, row <paramref name="y"/>, as a new image.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The rectangle is not inside the image.</exception>
    public GrayImage Crop(int x, int y, int width, int height)
    {
        if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > Width || y + height > Height)
        {
            throw new ArgumentOutOfRangeException(nameof(width),
                $"the {width}×{height} rectangle at ({x}, {y}) is not inside the {Width}×{Height} image");
        }
        var crop = new GrayImage(width, height);
        for (int row = 0; row < height; row++)
        {
            Pixels.AsSpan((y + row) * Width + x, width).CopyTo(crop.Pixels.AsSpan(row * width, width));
        }
        return crop;
    }

    /// <summary>
    /// This image resampled to <paramref name="width"/> × <paramref name="height"/> with a triangle (bilinear) filter
    /// widened by the reduction factor, so shrinking averages every covered pixel (anti-aliasing) and enlarging
    /// interpolates. Separable: rows first, then columns.
    /// </summary>
    public GrayImage Resize(int width, int height)
    {
        var result = new GrayImage(width, height);
        if (width == Width && height == Height)
        {
            Pixels.CopyTo(result.Pixels, 0);
            return result;
        }
        var horizontal = Filter.Create(Width, width);
        var vertical = Filter.Create(Height, height);

        var rows = new float[width * Height]; // (Height, width)
        for (int y = 0; y < Height; y++)
        {
            horizontal.Apply(Pixels.AsSpan(y * Width, Width), 1, rows.AsSpan(y * width, width), 1);
        }
        for (int x = 0; x < width; x++)
        {
            vertical.Apply(rows.AsSpan(x), width, result.Pixels.AsSpan(x), width);
        }
        return result;
    }

    /// <summary>Sum of all pixels.</summary>
    public double Sum()
    {
        double sum = 0;
        foreach (float value in Pixels)
        {
            sum += value;
        }
        return sum;
    }

    /// <inheritdoc />
    public override string ToString() => $"GrayImage {Width}×{Height}";

    /// <summary>Per-output-pixel weights of a 1-D triangle filter from <c>inSize</c> to <c>outSize</c> samples.</summary>
    private sealed class Filter
    {
        private readonly int[] _first;
        private readonly float[][] _weights;

        private Filter(int[] first, float[][] weights)
        {
            _first = first;
            _weights = weights;
        }

        public static Filter Create(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            double support = Math.Max(1.0, scale); // the triangle's half-width in input pixels
            var first = new int[outSize];
            var weights = new float[outSize][];
            for (int o = 0; o < outSize; o++)
            {
                double centre = (o + 0.5) * scale - 0.5; // output pixel centre in input coordinates
                int from = Math.Max(0, (int)Math.Floor(centre - support));
                int to = Math.Min(inSize - 1, (int)Math.Ceiling(centre + support));
                var w = new float[to - from + 1];
                double total = 0;
                for (int i = from; i <= to; i++)
                {
                    double weight = Math.Max(0.0, 1.0 - Math.Abs(i - centre) / support);
                    w[i - from] = (float)weight;
                    total += weight;
                }
                if (total == 0) // an output pixel centred past the edge: take the nearest input pixel
                {
                    int nearest = Math.Clamp((int)Math.Round(centre), 0, inSize - 1);
                    from = nearest;
                    w = [1f];
                    total = 1;
                }
                for (int i = 0; i < w.Length; i++)
                {
                    w[i] = (float)(w[i] / total);
                }
                first[o] = from;
                weights[o] = w;
            }
            return new Filter(first, weights);
        }

        public void Apply(ReadOnlySpan<float> input, int inputStride, Span<float> output, int outputStride)
        {
            for (int o = 0; o < _first.Length; o++)
            {
                float[] w = _weights[o];
                int offset = _first[o] * inputStride;
                float sum = 0f;
                for (int i = 0; i < w.Length; i++)
                {
                    sum += w[i] * input[offset + i * inputStride];
                }
                output[o * outputStride] = sum;
            }
        }
    }
}
