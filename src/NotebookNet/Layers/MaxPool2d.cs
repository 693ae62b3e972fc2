using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>
/// Max pooling over k×k windows of each channel: (N, C, H, W) -> (N, C, ⌊(H − k)/s⌋ + 1, ⌊(W − k)/s⌋ + 1).
/// Forward remembers where each maximum was; backward sends each output's gradient to that pixel only.
/// Introduced in notebook 05.
/// </summary>
public sealed class MaxPool2d(int kernelSize, int? stride = null) : ILayer
{
    private int[] _argmax = [];
    private int[]? _inputShape;

    /// <summary>The side of the square window.</summary>
    public int KernelSize { get; } = kernelSize > 0 ? kernelSize : throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "must be positive");

    /// <summary>The step between windows (default: the window's side, so windows do not overlap).</summary>
    public int Stride { get; } = (stride ?? kernelSize) > 0 ? stride ?? kernelSize : throw new ArgumentOutOfRangeException(nameof(stride), stride, "must be positive");

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc/>
    public bool IsTraining { get; set; } = true;

    /// <inheritdoc/>
    public LayerSpec Spec => new(nameof(MaxPool2d), ("kernelSize", KernelSize), ("stride", Stride));

    /// <summary>Rebuilds the layer described by <paramref name="spec"/>.</summary>
    public static MaxPool2d FromSpec(LayerSpec spec) => new(spec.Int("kernelSize"), spec.Int("stride"));

    /// <inheritdoc/>
    public int[] OutputShape(IReadOnlyList<int> inputShape)
    {
        if (inputShape.Count != 4 || inputShape[2] < KernelSize || inputShape[3] < KernelSize)
        {
            throw new ArgumentException($"{Spec} expects input (N, C, H, W) with H and W at least {KernelSize}, got {Tensor.FormatShape(inputShape.ToArray())}");
        }
        return [inputShape[0], inputShape[1], (inputShape[2] - KernelSize) / Stride + 1, (inputShape[3] - KernelSize) / Stride + 1];
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        int[] shape = OutputShape(input.Shape);
        var output = Tensor.ForOverwrite(shape); // every window writes its maximum
        // Grown, never shrunk: a last, smaller batch or an evaluation's batch uses the front of it (Backward reads only that).
        if (_argmax.Length < output.Length)
        {
            _argmax = new int[output.Length];
        }
        int channels = shape[1], height = input.Size(2), width = input.Size(3), outHeight = shape[2], outWidth = shape[3];
        float[] x = input.Data, y = output.Data;
        int[] argmax = _argmax;
        // Image by image on the threads: each image's windows, maxima and positions are its own.
        EachImage.Run(shape[0], n =>
        {
            if (KernelSize == 2 && Stride == 2)
            {
                PoolTwoByTwo(x, y, argmax, n * channels, (n + 1) * channels, height, width, outHeight, outWidth);
            }
            else
            {
                Pool(x, y, argmax, n * channels, (n + 1) * channels, height, width, outHeight, outWidth);
            }
        });
        _inputShape = input.Shape.ToArray();
        return output;
    }

    /// <summary>Pools planes <paramref name="firstPlane"/> to <paramref name="endPlane"/> − 1 (a plane is one channel of one image).</summary>
    private void Pool(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int firstPlane, int endPlane, int height, int width, int outHeight, int outWidth)
    {
        for (int plane = firstPlane; plane < endPlane; plane++)
        {
            int inBase = plane * height * width, outBase = plane * outHeight * outWidth;
            for (int i = 0; i < outHeight; i++)
            {
                for (int j = 0; j < outWidth; j++)
                {
                    int corner = inBase + i * Stride * width + j * Stride;
                    int best = corner;
                    float bestValue = x[best];
                    for (int u = 0; u < KernelSize; u++)
                    {
                        ReadOnlySpan<float> window = x.Slice(corner + u * width, KernelSize);
                        for (int v = 0; v < window.Length; v++)
                        {
                            // Branch-free: which value wins is random, and a mispredicted branch costs more than
                            // the comparison (measured: 4x slower with branches); the mask is all ones when larger.
                            float value = window[v];
                            bool larger = value > bestValue;
                            int mask = -Unsafe.As<bool, byte>(ref larger);
                            best = ((corner + u * width + v) & mask) | (best & ~mask);
                            bestValue = MathF.Max(value, bestValue);
                        }
                    }
                    y[outBase + i * outWidth + j] = bestValue;
                    argmax[outBase + i * outWidth + j] = best;
                }
            }
        }
    }

    /// <summary>
    /// The general loop unrolled for 2×2 windows with stride 2, every network's pooling here: the same comparisons in
    /// the same order (the first of equal maxima wins; a NaN passes through). Where the processor has SSE, four windows
    /// at a time (<see cref="PoolFour"/>); the scalar loop is the rest of a row narrower than four windows.
    /// </summary>
    private static void PoolTwoByTwo(float[] x, float[] y, int[] argmax, int firstPlane, int endPlane, int height, int width, int outHeight, int outWidth)
    {
        bool fourAtATime = Sse.IsSupported && outWidth >= 4;
        for (int plane = firstPlane; plane < endPlane; plane++)
        {
            for (int i = 0; i < outHeight; i++)
            {
                int top = (plane * height + 2 * i) * width, output = (plane * outHeight + i) * outWidth;
                if (fourAtATime)
                {
                    // The last four windows may overlap the four before them: those are written twice, with the same values.
                    for (int j = 0; j < outWidth; j += 4)
                    {
                        int first = Math.Min(j, outWidth - 4);
                        PoolFour(x, y, argmax, top + 2 * first, width, output + first);
                    }
                    continue;
                }
                for (int j = 0; j < outWidth; j++)
                {
                    int first = top + 2 * j, below = first + width;
                    int best = first;
                    float bestValue = x[first];
                    float value = x[first + 1];
                    best = value > bestValue ? first + 1 : best;
                    bestValue = MathF.Max(value, bestValue);
                    value = x[below];
                    best = value > bestValue ? below : best;
                    bestValue = MathF.Max(value, bestValue);
                    value = x[below + 1];
                    best = value > bestValue ? below + 1 : best;
                    bestValue = MathF.Max(value, bestValue);
                    y[output + j] = bestValue;
                    argmax[output + j] = best;
                }
            }
        }
    }

    /// <summary>
    /// Four neighbouring 2×2 windows, whose top-left pixels are x[first], x[first + 2], x[first + 4] and x[first + 6]: the
    /// scalar loop's comparisons lane by lane (<c>Vector128.Max</c> treats NaN and ±0 as <c>MathF.Max</c> does), so
    /// the same maxima and positions. small-cnn's pooling, a batch of 32 × 8 × 20 × 20 on two threads held to AVX2, once
    /// training has warmed up: 317–343 µs a step one window at a time, 69–75 µs four at a time (measured alternately).
    /// </summary>
    private static void PoolFour(float[] x, float[] y, int[] argmax, int first, int width, int output)
    {
        ref float pixels = ref MemoryMarshal.GetArrayDataReference(x);
        // The two rows of the four windows, eight pixels each, split into the windows' left and right columns.
        Vector128<float> top0 = Vector128.LoadUnsafe(ref pixels, (nuint)first), top1 = Vector128.LoadUnsafe(ref pixels, (nuint)(first + 4));
        Vector128<float> below0 = Vector128.LoadUnsafe(ref pixels, (nuint)(first + width));
        Vector128<float> below1 = Vector128.LoadUnsafe(ref pixels, (nuint)(first + width + 4));
        const byte Left = 0b10_00_10_00, Right = 0b11_01_11_01;
        Vector128<int> corner = Vector128.Create(first) + Vector128.Create(0, 2, 4, 6);
        Vector128<float> best = Sse.Shuffle(top0, top1, Left);
        Vector128<int> at = corner;
        Take(Sse.Shuffle(top0, top1, Right), corner + Vector128<int>.One, ref best, ref at);
        Take(Sse.Shuffle(below0, below1, Left), corner + Vector128.Create(width), ref best, ref at);
        Take(Sse.Shuffle(below0, below1, Right), corner + Vector128.Create(width + 1), ref best, ref at);
        best.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(y), (nuint)output);
        at.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(argmax), (nuint)output);

        static void Take(Vector128<float> value, Vector128<int> position, ref Vector128<float> best, ref Vector128<int> at)
        {
            at = Vector128.ConditionalSelect(Vector128.GreaterThan(value, best).AsInt32(), position, at);
            best = Vector128.Max(value, best);
        }
    }

    /// <inheritdoc/>
    public void ReleaseBatch() => (_argmax, _inputShape) = ([], null);

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        int[] inputShape = _inputShape ?? throw new InvalidOperationException("MaxPool2d.Backward called before Forward");
        outputGradient.RequireShape(() => $"{Spec}.Backward output gradient", OutputShape(inputShape));
        var inputGradient = Tensor.ForOverwrite(inputShape);
        float[] dx = inputGradient.Data, dy = outputGradient.Data;
        int[] argmax = _argmax;
        int perImage = outputGradient.Length / inputShape[0], inputPerImage = inputGradient.Length / inputShape[0];
        // Image by image on the threads, each image's gradient zeroed by the thread that fills it: an image's maxima all
        // lie in its own input.
        EachImage.Run(inputShape[0], n =>
        {
            dx.AsSpan(n * inputPerImage, inputPerImage).Clear();
            for (int i = n * perImage; i < (n + 1) * perImage; i++)
            {
                dx[argmax[i]] += dy[i];
            }
        });
        return inputGradient;
    }
}
