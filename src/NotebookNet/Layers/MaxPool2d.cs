using System.Runtime.CompilerServices;
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
        if (_argmax.Length != output.Length)
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
    /// the same order (the first of equal maxima wins; a NaN passes through), about three times faster.
    /// </summary>
    private static void PoolTwoByTwo(ReadOnlySpan<float> x, Span<float> y, Span<int> argmax, int firstPlane, int endPlane, int height, int width, int outHeight, int outWidth)
    {
        for (int plane = firstPlane; plane < endPlane; plane++)
        {
            for (int i = 0; i < outHeight; i++)
            {
                int top = (plane * height + 2 * i) * width, output = (plane * outHeight + i) * outWidth;
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

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        int[] inputShape = _inputShape ?? throw new InvalidOperationException("MaxPool2d.Backward called before Forward");
        outputGradient.RequireShape(() => $"{Spec}.Backward output gradient", OutputShape(inputShape));
        var inputGradient = new Tensor(inputShape);
        float[] dx = inputGradient.Data, dy = outputGradient.Data;
        int[] argmax = _argmax;
        int perImage = outputGradient.Length / inputShape[0];
        // Image by image on the threads: an image's maxima all lie in its own input.
        EachImage.Run(inputShape[0], n =>
        {
            for (int i = n * perImage; i < (n + 1) * perImage; i++)
            {
                dx[argmax[i]] += dy[i];
            }
        });
        return inputGradient;
    }
}
