namespace NotebookNet.Preprocessing;

/// <summary>One stage of <see cref="DigitPreprocessor"/> with the image it produced, for notebooks to show.</summary>
public sealed record PreprocessingStep(string Name, string Description, GrayImage Image);

/// <summary>
/// What <see cref="DigitPreprocessor.Process(GrayImage, bool)"/> made of a picture: an MNIST-style 28×28 digit (white ink on black,
/// 0..1) or, when there is no ink to speak of, <see cref="Found"/> false and the reason in <see cref="Problem"/>.
/// </summary>
public sealed record PreprocessedDigit
{
    /// <summary>Whether a digit was found.</summary>
    public required bool Found { get; init; }

    /// <summary>Why no digit was found, or null.</summary>
    public string? Problem { get; init; }

    /// <summary>The 28×28 digit: 0 = background, 1 = ink. All zeros when nothing was found.</summary>
    public required GrayImage Image { get; init; }

    /// <summary>Whether the picture had dark ink on light paper and was inverted.</summary>
    public bool Inverted { get; init; }

    /// <summary>The ink's bounding box in the working image (x, y, width, height), or null.</summary>
    public (int X, int Y, int Width, int Height)? InkBox { get; init; }

    /// <summary>How much the strokes were thickened (radius in working pixels; 0 when they were thick enough).</summary>
    public int Thickened { get; init; }

    /// <summary>Every intermediate image, in order, when asked for; otherwise empty.</summary>
    public IReadOnlyList<PreprocessingStep> Steps { get; init; } = [];

    /// <summary>The digit as MNIST stores it: 784 bytes, 0 = background, 255 = ink.</summary>
    public byte[] ToBytes() => Image.ToBytes();

    /// <summary>The digit, or an exception saying why there is none.</summary>
    /// <exception cref="InvalidOperationException">No digit was found.</exception>
    public GrayImage RequireDigit() => Found ? Image : throw new InvalidOperationException($"no digit found: {Problem}");
}
