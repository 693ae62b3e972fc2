using NotebookNet.Preprocessing;
using NotebookNet.Tensors;
using NotebookNet.Training;
using SkiaSharp;

namespace NotebookNet.Digits;

/// <summary>A generated picture of a digit: RGBA pixels (not premultiplied), its label and how it was drawn.</summary>
public sealed record DrawnDigit(int Label, byte[] Rgba, int Width, int Height, string Font, string Description)
{
    /// <summary>The picture in gray (what <see cref="ImageDecoder.FromRgba"/> makes of it).</summary>
    public GrayImage ToGray() => ImageDecoder.FromRgba(Rgba, Width, Height);

    /// <summary>The picture as a PNG file.</summary>
    public byte[] ToPng() => ImageDecoder.EncodePng(Rgba, Width, Height);
}

/// <summary>
/// Digits no MNIST writer made: each is rendered in one of several handwriting-style fonts, with random stroke width,
/// size, position, slant and rotation, on a canvas of random size and aspect — light paper, dark paper or a
/// transparent canvas — with a little noise. Seeded: the same seed draws the same digits. Introduced in notebook 07.
/// </summary>
public sealed class DrawnDigits
{
    /// <summary>
    /// The fonts looked for: the Debian package and the file it installs, from HandwritingFonts.tsv (the one list, which
    /// <c>.ci/run</c> installs from). Left out: fonts-femkeklaver, whose glyphs render as hollow double outlines.
    /// </summary>
    public static IReadOnlyList<(string Package, string Path)> KnownFonts { get; } = ReadKnownFonts();

    /// <summary>The Debian packages that provide <see cref="KnownFonts"/>, for an error message or a set-up script.</summary>
    public static string Packages => string.Join(' ', KnownFonts.Select(font => font.Package).Distinct());

    /// <summary>
    /// Where each known font is on this machine: at its Debian path, or a file of the same name in the system's or the
    /// user's font folder (Linux, macOS and Windows). The fonts are Debian packages; on macOS and Windows they are found
    /// only if their files were installed by hand from the fonts' own sources — or pass font files to the constructor.
    /// </summary>
    public static IReadOnlyList<string> FindFonts()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string[] folders =
        [
            "/usr/share/fonts", "/usr/local/share/fonts", Path.Combine(home, ".local/share/fonts"), Path.Combine(home, ".fonts"),
            "/Library/Fonts", "/System/Library/Fonts", Path.Combine(home, "Library/Fonts"),
            Environment.GetFolderPath(Environment.SpecialFolder.Fonts),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "Microsoft/Windows/Fonts"),
        ];
        var found = new List<string>();
        foreach ((_, string path) in KnownFonts)
        {
            string? file = File.Exists(path)
                ? path
                : folders.Where(folder => folder.Length > 0 && Directory.Exists(folder))
                    .SelectMany(folder => Directory.EnumerateFiles(folder, Path.GetFileName(path), SearchOption.AllDirectories))
                    .FirstOrDefault();
            if (file is not null)
            {
                found.Add(file);
            }
        }
        return found;
    }

    private static (string Package, string Path)[] ReadKnownFonts()
    {
        using Stream list = typeof(DrawnDigits).Assembly.GetManifestResourceStream("NotebookNet.Digits.HandwritingFonts.tsv")
            ?? throw new InvalidOperationException("HandwritingFonts.tsv is not embedded in the library");
        using var reader = new StreamReader(list);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .Select(fields => (fields[0], fields[1]))
            .ToArray();
    }

    private readonly (string Name, SKTypeface Typeface)[] _fonts;

    /// <summary>A generator over <paramref name="fontFiles"/>, or over every <see cref="KnownFonts"/> file present.</summary>
    /// <exception cref="InvalidOperationException">No font file was found; the message says which packages to install.</exception>
    /// <exception cref="InvalidDataException">A font file named explicitly cannot be read.</exception>
    public DrawnDigits(IEnumerable<string>? fontFiles = null)
    {
        var fonts = new List<(string, SKTypeface)>();
        foreach (string path in fontFiles ?? FindFonts())
        {
            SKTypeface typeface = SKTypeface.FromFile(path)
                ?? throw new InvalidDataException($"{path}: not a font file SkiaSharp can read");
            fonts.Add((Path.GetFileNameWithoutExtension(path), typeface));
        }
        if (fonts.Count == 0)
        {
            throw new InvalidOperationException(
                $"no handwriting font found: install them with `sudo apt-get install {Packages}` (Debian/Ubuntu; on macOS or Windows " +
                "install the same font files from their own sources) or pass font files");
        }
        _fonts = [.. fonts];
    }

    /// <summary>The names of the fonts in use.</summary>
    public IReadOnlyList<string> Fonts => _fonts.Select(font => font.Name).ToArray();

    /// <summary><paramref name="count"/> digits, labels 0–9 in turn, drawn with randomness from <paramref name="seed"/>.</summary>
    public IEnumerable<DrawnDigit> Generate(int count, int seed)
    {
        var rng = new Rng(seed);
        for (int i = 0; i < count; i++)
        {
            yield return Draw(i % 10, rng);
        }
    }

    /// <summary>Draws one <paramref name="label"/> with randomness from <paramref name="rng"/>.</summary>
    public DrawnDigit Draw(int label, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(label, 9);
        (string fontName, SKTypeface typeface) = _fonts[rng.NextInt(_fonts.Length)];
        int width = 96 + rng.NextInt(400), height = 96 + rng.NextInt(400);

        // Paper and ink: dark on light (60 %), light on dark (25 %), or ink on a transparent canvas (15 %).
        float paperKind = rng.NextFloat();
        float paper = paperKind < 0.6f ? rng.NextFloat(0.75f, 1f) : rng.NextFloat(0f, 0.25f);
        float ink = paperKind < 0.6f ? rng.NextFloat(0f, 0.35f) : rng.NextFloat(0.7f, 1f);
        bool transparent = paperKind >= 0.85f;
        if (transparent)
        {
            ink = rng.NextFloat() < 0.5f ? rng.NextFloat(0f, 0.2f) : rng.NextFloat(0.8f, 1f);
        }

        float digitHeight = rng.NextFloat(0.25f, 0.85f) * Math.Min(height, width * 1.4f);
        float slant = rng.NextFloat(-0.3f, 0.3f), degrees = rng.NextFloat(-12f, 12f);
        float strokeFraction = rng.NextFloat() < 0.3f ? 0f : rng.NextFloat(0f, 0.09f);

        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info);
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(transparent ? SKColors.Transparent : Gray(paper));

        using var font = new SKFont(typeface, 100f);
        string text = label.ToString(System.Globalization.CultureInfo.InvariantCulture);
        font.MeasureText(text, out SKRect bounds);
        float size = 100f * digitHeight / Math.Max(1f, bounds.Height);
        font.Size = size;
        float stroke = strokeFraction * digitHeight;
        using var paint = new SKPaint
        {
            Color = Gray(ink),
            IsAntialias = true,
            Style = stroke > 0 ? SKPaintStyle.StrokeAndFill : SKPaintStyle.Fill,
            StrokeWidth = stroke,
            StrokeJoin = SKStrokeJoin.Round,
        };
        font.MeasureText(text, out bounds, paint);

        // The digit's box after slant and rotation, so it can be placed anywhere it fits whole.
        var matrix = SKMatrix.CreateRotationDegrees(degrees).PostConcat(SKMatrix.Identity);
        matrix = SKMatrix.Concat(matrix, SKMatrix.CreateSkew(slant, 0));
        SKRect turned = matrix.MapRect(bounds);
        float spareX = Math.Max(0f, width - turned.Width), spareY = Math.Max(0f, height - turned.Height);
        float left = rng.NextFloat(0f, spareX) - turned.Left, top = rng.NextFloat(0f, spareY) - turned.Top;
        canvas.Translate(left, top);
        canvas.Concat(in matrix);
        canvas.DrawText(text, 0f, 0f, SKTextAlign.Left, font, paint);
        canvas.Flush();

        var rgba = new byte[width * height * 4];
        unsafe
        {
            fixed (byte* pixels = rgba)
            {
                var unpremultiplied = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
                if (!surface.ReadPixels(unpremultiplied, (IntPtr)pixels, width * 4, 0, 0))
                {
                    throw new InvalidOperationException("SkiaSharp could not read back the drawn pixels");
                }
            }
        }
        float noise = transparent ? 0f : rng.NextFloat(0f, 0.04f);
        if (noise > 0f)
        {
            for (int i = 0; i < rgba.Length; i += 4)
            {
                byte value = (byte)Math.Clamp(rgba[i] + 255f * noise * rng.NextNormal(), 0f, 255f);
                rgba[i] = rgba[i + 1] = rgba[i + 2] = value;
            }
        }
        string description = $"{fontName}, {width}×{height}, {(transparent ? "transparent" : paper > 0.5f ? "light" : "dark")} paper, " +
            $"height {digitHeight:0} px, stroke {stroke:0.0} px, slant {slant:0.00}, rotation {degrees:0}°";
        return new DrawnDigit(label, rgba, width, height, fontName, description);
    }

    private static SKColor Gray(float value)
    {
        byte level = (byte)Math.Clamp(MathF.Round(value * 255f), 0f, 255f);
        return new SKColor(level, level, level);
    }
}
