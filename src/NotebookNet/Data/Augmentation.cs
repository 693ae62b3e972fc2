using NotebookNet.Tensors;

namespace NotebookNet.Data;

/// <summary>
/// Random small affine distortions of training images — shift, rotation and scaling about the centre — so a
/// network sees a slightly different digit every epoch. Each output pixel p samples the source bilinearly at
/// c + S⁻¹R⁻¹(p − c − t); pixels that come from outside the image take the image's background (its smallest value).
/// Seeded: the same generator gives the same distortions. Introduced in notebook 07.
/// </summary>
/// <param name="MaxShift">Largest shift in pixels, in each direction.</param>
/// <param name="MaxRotationDegrees">Largest rotation, either way.</param>
/// <param name="MaxScale">Largest relative change of size, e.g. 0.1 for 90 %–110 %.</param>
public sealed record Augmentation(float MaxShift = 2f, float MaxRotationDegrees = 10f, float MaxScale = 0.1f)
{
    /// <summary>Distorts every image of a batch (N, 784) or (N, 1, 28, 28), in place.</summary>
    /// <exception cref="ArgumentException">The images are not square.</exception>
    public void Apply(Tensor images, Rng rng)
    {
        int count = images.Size(0);
        int length = images.Length / Math.Max(1, count);
        int side = (int)Math.Round(Math.Sqrt(length));
        if (side * side != length)
        {
            throw new ArgumentException($"augmentation needs square single-channel images, got {images.ShapeText}");
        }
        var source = new float[length];
        for (int n = 0; n < count; n++)
        {
            Span<float> image = images.Data.AsSpan(n * length, length);
            image.CopyTo(source);
            float angle = rng.NextFloat(-MaxRotationDegrees, MaxRotationDegrees) * MathF.PI / 180f;
            float scale = 1f + rng.NextFloat(-MaxScale, MaxScale);
            float shiftX = rng.NextFloat(-MaxShift, MaxShift), shiftY = rng.NextFloat(-MaxShift, MaxShift);
            Transform(source, image, side, angle, scale, shiftX, shiftY);
        }
    }

    /// <summary>
    /// Writes into <paramref name="destination"/> the image <paramref name="source"/> rotated by <paramref name="angle"/>
    /// radians and scaled by <paramref name="scale"/> about its centre, then shifted by (<paramref name="shiftX"/>, <paramref name="shiftY"/>).
    /// </summary>
    public static void Transform(ReadOnlySpan<float> source, Span<float> destination, int side, float angle, float scale, float shiftX, float shiftY)
    {
        float background = TensorPrimitives.Min(source);
        float centre = (side - 1) / 2f;
        float cos = MathF.Cos(angle) / scale, sin = MathF.Sin(angle) / scale;
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                // Inverse map: undo the shift, then the rotation and scaling, about the centre.
                float dx = x - centre - shiftX, dy = y - centre - shiftY;
                float sx = cos * dx + sin * dy + centre;
                float sy = -sin * dx + cos * dy + centre;
                destination[y * side + x] = Sample(source, side, sx, sy, background);
            }
        }
    }

    private static float Sample(ReadOnlySpan<float> image, int side, float x, float y, float background)
    {
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float fx = x - x0, fy = y - y0;
        float top = Pixel(image, side, x0, y0, background) * (1 - fx) + Pixel(image, side, x0 + 1, y0, background) * fx;
        float bottom = Pixel(image, side, x0, y0 + 1, background) * (1 - fx) + Pixel(image, side, x0 + 1, y0 + 1, background) * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static float Pixel(ReadOnlySpan<float> image, int side, int x, int y, float background) =>
        x >= 0 && x < side && y >= 0 && y < side ? image[y * side + x] : background;
}
