using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NotebookNet.Tensors;

namespace NotebookNet.Data;

/// <summary>
/// Random small affine distortions of training images — shift, rotation and scaling about the centre — so a
/// network sees a slightly different digit every epoch. Each output pixel p samples the source bilinearly at
/// c + S⁻¹R⁻¹(p − c − t); pixels that come from outside the image take the image's background (its smallest value).
/// With <see cref="ElasticAlpha"/> set, an elastic distortion (Simard, Steinkraus and Platt 2003) is added: each
/// pixel's sampling point moves by α·(G_σ * u), u a field of uniform random numbers in [−1, 1] for x and for y,
/// G_σ a Gaussian — a smooth, random rubber-sheet warp, like the wobble of a hand.
/// Seeded: the same generator gives the same distortions. Introduced in notebook 06.
/// </summary>
/// <param name="MaxShift">Largest shift in pixels, in each direction.</param>
/// <param name="MaxRotationDegrees">Largest rotation, either way.</param>
/// <param name="MaxScale">Largest relative change of size, e.g. 0.1 for 90 %–110 %.</param>
public sealed record Augmentation(float MaxShift = 2f, float MaxRotationDegrees = 10f, float MaxScale = 0.1f)
{
    /// <summary>Strength α of the elastic distortion in pixels (Simard et al. used 34 on 28×28 digits); 0 for none.</summary>
    public float ElasticAlpha { get; init; }

    /// <summary>Smoothness σ of the elastic displacement field, in pixels (Simard et al.: 4).</summary>
    public float ElasticSigma { get; init; } = 4f;

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
        // Every random number is drawn first, image by image in the generator's order; then the images are distorted
        // on the threads, each from its own draws, so the distortions are the same for every thread count.
        bool elastic = ElasticAlpha > 0f;
        var draws = new (float Angle, float Scale, float ShiftX, float ShiftY)[count];
        float[] fields = new float[elastic ? 2 * count * length : 0]; // per image: the x field, then the y field
        float[] kernel = elastic ? GaussianKernel(ElasticSigma) : [];
        for (int n = 0; n < count; n++)
        {
            float angle = rng.NextFloat(-MaxRotationDegrees, MaxRotationDegrees) * MathF.PI / 180f;
            float scale = 1f + rng.NextFloat(-MaxScale, MaxScale);
            float shiftX = rng.NextFloat(-MaxShift, MaxShift), shiftY = rng.NextFloat(-MaxShift, MaxShift);
            draws[n] = (angle, scale, shiftX, shiftY);
            if (elastic)
            {
                DisplacementField(fields.AsSpan(2 * n * length, length), side, kernel, ElasticAlpha, rng);
                DisplacementField(fields.AsSpan((2 * n + 1) * length, length), side, kernel, ElasticAlpha, rng);
            }
        }
        EachImage.Run(count, length, (n, source) =>
        {
            Span<float> image = images.Data.AsSpan(n * length, length);
            image.CopyTo(source);
            var (angle, scale, shiftX, shiftY) = draws[n];
            ReadOnlySpan<float> displacementX = elastic ? fields.AsSpan(2 * n * length, length) : default;
            ReadOnlySpan<float> displacementY = elastic ? fields.AsSpan((2 * n + 1) * length, length) : default;
            Transform(source.AsSpan(0, length), image, side, angle, scale, shiftX, shiftY, displacementX, displacementY);
        });
    }

    /// <summary>
    /// Fills <paramref name="field"/> (side × side) with α·(G_σ * u): uniform noise in [−1, 1] smoothed by a Gaussian
    /// (zero beyond the border, as Simard et al.), then scaled. The separable blur is two matrix products,
    /// α·K·U·Kᵀ, with K the banded (side, side) matrix K[i, j] = g(j − i).
    /// </summary>
    public static void DisplacementField(Span<float> field, int side, float[] kernel, float alpha, Rng rng)
    {
        bool small = side * side <= 4096; // 16 KB a buffer on the stack at most
        Span<float> noise = small ? stackalloc float[side * side] : new float[side * side];
        for (int i = 0; i < noise.Length; i++)
        {
            noise[i] = rng.NextFloat(-1f, 1f);
        }
        Span<float> band = small ? stackalloc float[side * side] : new float[side * side];
        int radius = kernel.Length / 2;
        for (int i = 0; i < side; i++)
        {
            for (int j = Math.Max(0, i - radius); j <= Math.Min(side - 1, i + radius); j++)
            {
                band[i * side + j] = kernel[j - i + radius];
            }
        }
        Span<float> rows = small ? stackalloc float[side * side] : new float[side * side];
        MatMul.Multiply(noise, band, rows, side, side, side, transposeB: true); // (side, side) x (side, side)ᵀ: blur along x
        MatMul.Multiply(band, rows, field, side, side, side, alpha: alpha);     // K x (side, side): blur along y, times α
    }

    /// <summary>A normalised 1-D Gaussian of standard deviation <paramref name="sigma"/>, 3σ each side.</summary>
    public static float[] GaussianKernel(float sigma)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sigma);
        int radius = Math.Max(1, (int)MathF.Ceiling(3f * sigma));
        var kernel = new float[2 * radius + 1];
        for (int i = -radius; i <= radius; i++)
        {
            kernel[i + radius] = MathF.Exp(-i * i / (2f * sigma * sigma));
        }
        TensorPrimitives.Divide(kernel, FixedOrder.Sum(kernel), kernel);
        return kernel;
    }

    /// <summary>
    /// Writes into <paramref name="destination"/> the image <paramref name="source"/> rotated by <paramref name="angle"/>
    /// radians and scaled by <paramref name="scale"/> about its centre, then shifted by (<paramref name="shiftX"/>, <paramref name="shiftY"/>).
    /// </summary>
    /// <remarks>With displacement fields (side × side each), each output pixel's sampling point moves by them as well.</remarks>
    /// <exception cref="ArgumentException">The source or the destination does not hold side × side values.</exception>
    public static void Transform(ReadOnlySpan<float> source, Span<float> destination, int side, float angle, float scale, float shiftX, float shiftY,
        ReadOnlySpan<float> displacementX = default, ReadOnlySpan<float> displacementY = default)
    {
        if (side < 1 || source.Length != side * side || destination.Length != side * side)
        {
            throw new ArgumentException($"Transform needs two side × side images (side {side}): got {source.Length} and {destination.Length} values");
        }
        bool displaced = !displacementX.IsEmpty;
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
                if (displaced)
                {
                    sx += displacementX[y * side + x];
                    sy += displacementY[y * side + x];
                }
                destination[y * side + x] = Sample(source, side, sx, sy, background);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Sample(ReadOnlySpan<float> image, int side, float x, float y, float background)
    {
        int x0 = (int)MathF.Floor(x), y0 = (int)MathF.Floor(y);
        float fx = x - x0, fy = y - y0;
        float topLeft, topRight, bottomLeft, bottomRight;
        if ((uint)x0 < (uint)(side - 1) && (uint)y0 < (uint)(side - 1))
        {
            // All four pixels inside the image, as for most points: read without a check each.
            ref float corner = ref Unsafe.Add(ref MemoryMarshal.GetReference(image), y0 * side + x0);
            (topLeft, topRight) = (corner, Unsafe.Add(ref corner, 1));
            (bottomLeft, bottomRight) = (Unsafe.Add(ref corner, side), Unsafe.Add(ref corner, side + 1));
        }
        else
        {
            (topLeft, topRight) = (Pixel(image, side, x0, y0, background), Pixel(image, side, x0 + 1, y0, background));
            (bottomLeft, bottomRight) = (Pixel(image, side, x0, y0 + 1, background), Pixel(image, side, x0 + 1, y0 + 1, background));
        }
        float top = topLeft * (1 - fx) + topRight * fx;
        float bottom = bottomLeft * (1 - fx) + bottomRight * fx;
        return top * (1 - fy) + bottom * fy;
    }

    private static float Pixel(ReadOnlySpan<float> image, int side, int x, int y, float background) =>
        x >= 0 && x < side && y >= 0 && y < side ? image[y * side + x] : background;
}
