using NotebookNet.Tensors;

namespace NotebookNet.Preprocessing;

/// <summary>
/// Turns any picture of one digit into what MNIST's makers would have made of it (LeCun et al.): white ink on black,
/// the ink's bounding box scaled so its longer side is 20 pixels (aspect kept, anti-aliased), placed in 28×28 with
/// its centre of mass at the centre. Introduced in notebook 07.
/// </summary>
/// <remarks>
/// Steps: polarity (the ink is the tail of the histogram farther from the median, the paper) → contrast (paper → 0,
/// strongest ink → 1) → faint noise below <see cref="PreprocessingOptions.NoiseThreshold"/> and specks far smaller
/// than the largest stroke removed → bounding box → strokes thinner than almost all of MNIST's thickened → 20-pixel box →
/// 28×28 by centre of mass. A picture without enough ink gives <see cref="PreprocessedDigit.Found"/> false.
/// </remarks>
public sealed class DigitPreprocessor(PreprocessingOptions? options = null)
{
    /// <summary>The settings.</summary>
    public PreprocessingOptions Options { get; } = options ?? new PreprocessingOptions();

    /// <summary>Loads an image file and processes it.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an image or is truncated.</exception>
    public PreprocessedDigit Process(string path, bool keepSteps = false) => Process(ImageDecoder.Load(path), keepSteps);

    /// <summary>
    /// Processes a grayscale picture (0 = black, 1 = white, either polarity). With <paramref name="keepSteps"/>
    /// every intermediate image is kept in <see cref="PreprocessedDigit.Steps"/>.
    /// </summary>
    public PreprocessedDigit Process(GrayImage picture, bool keepSteps = false)
    {
        LargeGarbage.Collect();
        var steps = new List<PreprocessingStep>();
        void Keep(string name, string description, GrayImage image)
        {
            if (keepSteps)
            {
                steps.Add(new PreprocessingStep(name, description, image.Clone()));
            }
        }
        PreprocessedDigit Nothing(string problem, bool inverted = false) => new()
        {
            Found = false,
            Problem = problem,
            Image = new GrayImage(Options.CanvasSize, Options.CanvasSize),
            Inverted = inverted,
            Steps = steps,
        };

        GrayImage image = picture.Width > ImageDecoder.MaxSide || picture.Height > ImageDecoder.MaxSide
            ? Shrink(picture, ImageDecoder.MaxSide)
            : picture.Clone();
        Keep("input", $"the picture in gray, {picture.Width}×{picture.Height}", image);

        (float paper, bool inverted, float contrast) = Polarity(image);
        if (contrast < Options.MinimumContrast)
        {
            return Nothing($"the picture is blank: its ink differs from the paper by {contrast:0.###} (at least {Options.MinimumContrast} needed)", inverted);
        }

        // Contrast: paper → 0, the strongest ink → 1, white on black like MNIST; faint noise → 0.
        float[] pixels = image.Pixels;
        for (int i = 0; i < pixels.Length; i++)
        {
            float strength = (inverted ? paper - pixels[i] : pixels[i] - paper) / contrast;
            pixels[i] = strength < Options.NoiseThreshold ? 0f : Math.Min(1f, strength);
        }
        Keep("white on black", inverted ? "inverted: dark ink on light paper became white on black" : "already light ink on dark", image);

        int specks = RemoveSpecks(image, Options.SpeckFraction);
        Keep("noise removed", $"ink below {Options.NoiseThreshold:P0} of the strongest and {specks} speck(s) removed", image);

        if (BoundingBox(image) is not var (x, y, width, height) || Math.Max(width, height) < Options.MinimumInkSide)
        {
            return Nothing("only a speck of ink was found, too small to be a digit", inverted);
        }
        GrayImage ink = image.Crop(x, y, width, height);
        Keep("cropped", $"the ink's bounding box, {width}×{height}", ink);

        // Work at most at WorkingSide pixels: thickening there is cheap, and it is 4× the final box.
        if (Math.Max(width, height) > Options.WorkingSide)
        {
            (int w, int h) = Fit(width, height, Options.WorkingSide);
            ink = ink.Resize(w, h);
            Stretch(ink);
        }
        float scale = (float)Options.BoxSize / Math.Max(ink.Width, ink.Height);
        float strokeWidth = StrokeWidth(ink);
        int radius = 0;
        if (strokeWidth * scale < Options.ThinStrokeWidth)
        {
            radius = Math.Max(1, (int)MathF.Ceiling((Options.ThickenedStrokeWidth / scale - strokeWidth) / 2f));
            ink = Dilate(ink, radius);
            Keep("thickened", $"strokes {strokeWidth * scale:0.00} px wide in the box, thinner than {Options.ThinStrokeWidth} px: thickened to about {Options.ThickenedStrokeWidth} px", ink);
        }

        (int boxWidth, int boxHeight) = Fit(ink.Width, ink.Height, Options.BoxSize);
        GrayImage box = ink.Resize(boxWidth, boxHeight);
        Stretch(box);
        Keep("20×20 box", $"scaled to {boxWidth}×{boxHeight}, the longer side {Options.BoxSize} px, anti-aliased", box);

        GrayImage digit = Center(box, Options.CanvasSize);
        Keep("28×28", "placed so the centre of mass is at the centre", digit);
        return new PreprocessedDigit
        {
            Found = true,
            Image = digit,
            Inverted = inverted,
            InkBox = (x, y, width, height),
            Thickened = radius,
            Steps = steps,
        };
    }

    /// <summary>
    /// What a first attempt does: make the ink white on black and squeeze the whole picture into 28×28. Kept to show,
    /// in notebook 07 and <c>reproduce</c>, what the real pipeline buys.
    /// </summary>
    public GrayImage ResizeOnly(GrayImage picture)
    {
        GrayImage image = picture.Resize(Options.CanvasSize, Options.CanvasSize);
        if (Polarity(image).DarkInk)
        {
            for (int i = 0; i < image.Pixels.Length; i++)
            {
                image.Pixels[i] = 1f - image.Pixels[i];
            }
        }
        return image;
    }

    /// <summary>The width and height that fit <paramref name="side"/> on the longer side, keeping the aspect (each at least 1).</summary>
    public static (int Width, int Height) Fit(int width, int height, int side) => width >= height
        ? (side, Math.Max(1, (int)MathF.Round((float)height * side / width)))
        : (Math.Max(1, (int)MathF.Round((float)width * side / height)), side);

    /// <summary>The bounding box of the nonzero pixels, or null when all are zero.</summary>
    public static (int X, int Y, int Width, int Height)? BoundingBox(GrayImage image)
    {
        int left = image.Width, top = image.Height, right = -1, bottom = -1;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                if (image[x, y] > 0f)
                {
                    left = Math.Min(left, x);
                    right = Math.Max(right, x);
                    top = Math.Min(top, y);
                    bottom = Math.Max(bottom, y);
                }
            }
        }
        return right < 0 ? null : (left, top, right - left + 1, bottom - top + 1);
    }

    /// <summary>The centre of mass (x, y) of an image, in pixel units from its top-left corner (pixel i spans [i, i+1)).</summary>
    public static (float X, float Y) CenterOfMass(GrayImage image)
    {
        double mass = 0, sumX = 0, sumY = 0;
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                float value = image[x, y];
                mass += value;
                sumX += value * (x + 0.5);
                sumY += value * (y + 0.5);
            }
        }
        return mass == 0 ? (image.Width / 2f, image.Height / 2f) : ((float)(sumX / mass), (float)(sumY / mass));
    }

    /// <summary>
    /// The box placed in a <paramref name="size"/>² canvas so that its centre of mass falls as near the centre as a
    /// whole-pixel shift allows without pushing ink off the canvas.
    /// </summary>
    private static GrayImage Center(GrayImage box, int size)
    {
        var canvas = new GrayImage(size, size);
        (float centreX, float centreY) = CenterOfMass(box);
        // MNIST's centres of mass sit at the middle of pixel (14, 14), i.e. at 14.5 in these units.
        float target = size / 2 + 0.5f;
        int left = Math.Clamp((int)MathF.Round(target - centreX), 0, size - box.Width);
        int top = Math.Clamp((int)MathF.Round(target - centreY), 0, size - box.Height);
        for (int y = 0; y < box.Height; y++)
        {
            box.Pixels.AsSpan(y * box.Width, box.Width).CopyTo(canvas.Pixels.AsSpan((top + y) * size + left));
        }
        return canvas;
    }

    /// <summary>Averages a picture down so its longer side is <paramref name="side"/>.</summary>
    private static GrayImage Shrink(GrayImage picture, int side)
    {
        (int width, int height) = Fit(picture.Width, picture.Height, side);
        return picture.Resize(width, height);
    }

    /// <summary>Scales the pixels so the largest is 1 (a thin stroke averaged down comes back to full strength).</summary>
    private static void Stretch(GrayImage image)
    {
        float max = TensorPrimitives.Max(image.Pixels);
        if (max > 0f)
        {
            TensorPrimitives.Multiply(image.Pixels, 1f / max, image.Pixels);
        }
    }

    /// <summary>
    /// The paper is the median gray of the picture's border; the ink is whichever extreme lies farther from it. Returns the
    /// paper, whether the ink is darker than the paper, and how far the ink lies from the paper. Judging the paper by the
    /// border, not by the whole picture, keeps a digit that covers most of its picture from being taken for the paper.
    /// </summary>
    private static (float Paper, bool DarkInk, float Contrast) Polarity(GrayImage image)
    {
        float paper = Median(Border(image));
        float darkest = TensorPrimitives.Min(image.Pixels), lightest = TensorPrimitives.Max(image.Pixels);
        bool darkInk = paper - darkest > lightest - paper;
        return (paper, darkInk, darkInk ? paper - darkest : lightest - paper);
    }

    /// <summary>
    /// The pixels on the picture's edge: its first and last rows and columns. A side counts only where the picture is
    /// more than two pixels across the other way: the "left column" of a 1-pixel-wide picture is the whole picture, and
    /// its paper is at its two ends. A picture at most 2×2 is all border.
    /// </summary>
    private static float[] Border(GrayImage image)
    {
        int width = image.Width, height = image.Height;
        bool wide = width > 2, tall = height > 2;
        if (!wide && !tall)
        {
            return image.Pixels;
        }
        var border = new List<float>(2 * (width + height));
        if (!tall || wide)
        {
            // The first and last columns: a side of a picture, or both ends of a thin row.
            for (int y = 0; y < height; y++)
            {
                border.Add(image[0, y]);
                border.Add(image[width - 1, y]);
            }
        }
        if (!wide || tall)
        {
            // The first and last rows: a side of a picture, or both ends of a thin column.
            for (int x = 0; x < width; x++)
            {
                border.Add(image[x, 0]);
                border.Add(image[x, height - 1]);
            }
        }
        return [.. border];
    }

    /// <summary>The median pixel value, from a 1024-bin histogram.</summary>
    private static float Median(float[] pixels)
    {
        const int Bins = 1024;
        Span<int> histogram = stackalloc int[Bins];
        foreach (float value in pixels)
        {
            histogram[Math.Clamp((int)(value * (Bins - 1) + 0.5f), 0, Bins - 1)]++;
        }
        int half = (pixels.Length + 1) / 2, seen = 0;
        for (int bin = 0; bin < Bins; bin++)
        {
            seen += histogram[bin];
            if (seen >= half)
            {
                return (float)bin / (Bins - 1);
            }
        }
        return 1f;
    }

    /// <summary>
    /// Removes 8-connected blobs of ink whose mass is below <paramref name="fraction"/> of the largest blob's, and
    /// returns how many went: dust on a photo, stray dots on a canvas.
    /// </summary>
    private static int RemoveSpecks(GrayImage image, float fraction)
    {
        int width = image.Width, height = image.Height;
        float[] pixels = image.Pixels;
        var label = new int[pixels.Length];
        var masses = new List<double> { 0 }; // label 0 = background
        var stack = new Stack<int>();
        for (int start = 0; start < pixels.Length; start++)
        {
            if (pixels[start] <= 0f || label[start] != 0)
            {
                continue;
            }
            int id = masses.Count;
            double mass = 0;
            label[start] = id;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int index = stack.Pop();
                mass += pixels[index];
                int x = index % width, y = index / width;
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int nx = x + dx, ny = y + dy;
                        if (nx < 0 || ny < 0 || nx >= width || ny >= height)
                        {
                            continue;
                        }
                        int neighbour = ny * width + nx;
                        if (pixels[neighbour] > 0f && label[neighbour] == 0)
                        {
                            label[neighbour] = id;
                            stack.Push(neighbour);
                        }
                    }
                }
            }
            masses.Add(mass);
        }
        double largest = masses.Max();
        int removed = 0;
        var keep = new bool[masses.Count];
        for (int id = 1; id < masses.Count; id++)
        {
            keep[id] = masses[id] >= fraction * largest;
            removed += keep[id] ? 0 : 1;
        }
        for (int i = 0; i < pixels.Length; i++)
        {
            if (label[i] != 0 && !keep[label[i]])
            {
                pixels[i] = 0f;
            }
        }
        return removed;
    }

    /// <summary>
    /// The mean stroke width in pixels, 2·area / boundary length over the pixels brighter than ½: a stroke of width w
    /// and length L has area w·L and two sides of length L.
    /// </summary>
    internal static float StrokeWidth(GrayImage image)
    {
        int width = image.Width, height = image.Height;
        long area = 0, edges = 0;
        bool Ink(int x, int y) => x >= 0 && y >= 0 && x < width && y < height && image[x, y] > 0.5f;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                if (!Ink(x, y))
                {
                    continue;
                }
                area++;
                edges += (Ink(x - 1, y) ? 0 : 1) + (Ink(x + 1, y) ? 0 : 1) + (Ink(x, y - 1) ? 0 : 1) + (Ink(x, y + 1) ? 0 : 1);
            }
        }
        return edges == 0 ? 0f : 2f * area / edges;
    }

    /// <summary>Gray dilation by a (2r+1)² square: each pixel becomes the largest in its neighbourhood. The image grows by r on each side.</summary>
    private static GrayImage Dilate(GrayImage image, int radius)
    {
        int width = image.Width + 2 * radius, height = image.Height + 2 * radius;
        var rows = new GrayImage(width, image.Height);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float max = 0f;
                for (int sx = Math.Max(0, x - 2 * radius); sx <= Math.Min(image.Width - 1, x); sx++)
                {
                    max = Math.Max(max, image[sx, y]);
                }
                rows[x, y] = max;
            }
        }
        var result = new GrayImage(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                float max = 0f;
                for (int sy = Math.Max(0, y - 2 * radius); sy <= Math.Min(image.Height - 1, y); sy++)
                {
                    max = Math.Max(max, rows[x, sy]);
                }
                result[x, y] = max;
            }
        }
        return result;
    }
}

/// <summary>The settings of <see cref="DigitPreprocessor"/>; the defaults follow MNIST.</summary>
public sealed record PreprocessingOptions
{
    /// <summary>The side of the output (MNIST: 28).</summary>
    public int CanvasSize { get; init; } = 28;

    /// <summary>The longer side of the ink's box in the output (MNIST: 20).</summary>
    public int BoxSize { get; init; } = 20;

    /// <summary>The least difference between ink and paper, 0..1, for a picture to hold a digit.</summary>
    public float MinimumContrast { get; init; } = 0.15f;

    /// <summary>Ink fainter than this fraction of the strongest is noise.</summary>
    public float NoiseThreshold { get; init; } = 0.2f;

    /// <summary>Blobs with less than this fraction of the largest blob's ink are specks.</summary>
    public float SpeckFraction { get; init; } = 0.03f;

    /// <summary>Ink whose bounding box is smaller than this many pixels on its longer side is not a digit.</summary>
    public int MinimumInkSide { get; init; } = 3;

    /// <summary>
    /// Strokes thinner than this, in pixels of the 20-pixel box, are thickened: a pen line on a large canvas. Measured as
    /// <c>StrokeWidth</c> does, 99 % of MNIST's test digits are wider than 1.0 and half are wider than 1.8, so MNIST's own
    /// digits, and pictures made like them, are left as they are.
    /// </summary>
    public float ThinStrokeWidth { get; init; } = 1.0f;

    /// <summary>The width, in pixels of the 20-pixel box, that thin strokes are thickened to: MNIST's median.</summary>
    public float ThickenedStrokeWidth { get; init; } = 1.8f;

    /// <summary>Larger crops are averaged down to this longer side before thickening.</summary>
    public int WorkingSide { get; init; } = 80;
}
