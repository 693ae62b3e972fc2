using System.Buffers;
using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>
/// A 2-D convolution over NCHW tensors: (N, C, H, W) -> (N, OC, OH, OW) with OH = ⌊(H + 2·padding − k)/stride⌋ + 1.
/// Each output is Y[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v W[o, c, u, v]·X[n, c, i·stride − padding + u, j·stride − padding + v],
/// computed as im2col + matrix multiply: the k×k patches of one image become the columns of a (C·k·k, OH·OW)
/// matrix, and Y[n] = W·col is one product with W seen as (OC, C·k·k). Images are spread over the threads,
/// each with its own patch buffer. Introduced in notebook 05.
/// </summary>
public sealed class Conv2d : ILayer
{
    private Tensor? _input;
    private float[] _weightGradients = [];

    /// <summary>Creates the layer with weights drawn by <paramref name="init"/> (fan-in C·k·k) and zero biases.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or the padding is negative.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, Rng rng, int stride = 1, int padding = 0, bool bias = true, Init init = Init.He)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentNullException.ThrowIfNull(rng);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Weight = new Parameter("weight", new Tensor(outChannels, inChannels, kernelSize, kernelSize));
        Initializer.Fill(Weight.Value, init, inChannels * kernelSize * kernelSize, outChannels * kernelSize * kernelSize, rng);
        Bias = bias ? new Parameter("bias", new Tensor(outChannels)) : null;
        Parameters = Bias is null ? [Weight] : [Weight, Bias];
    }

    /// <summary>Channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>Channels (filters) of the output.</summary>
    public int OutChannels { get; }

    /// <summary>The side k of the square kernel.</summary>
    public int KernelSize { get; }

    /// <summary>The step between neighbouring windows.</summary>
    public int Stride { get; }

    /// <summary>Zeros added on each side of the input.</summary>
    public int Padding { get; }

    /// <summary>W, shape (OC, C, k, k).</summary>
    public Parameter Weight { get; }

    /// <summary>b, shape (OC,), or null without bias.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc/>
    public bool IsTraining { get; set; } = true;

    /// <inheritdoc/>
    public LayerSpec Spec => new(nameof(Conv2d), ("inChannels", InChannels), ("outChannels", OutChannels), ("kernelSize", KernelSize),
        ("stride", Stride), ("padding", Padding), ("bias", Bias is not null));

    /// <summary>Rebuilds the layer described by <paramref name="spec"/>, with zero weights for a model file to fill.</summary>
    public static Conv2d FromSpec(LayerSpec spec) =>
        new(spec.Int("inChannels"), spec.Int("outChannels"), spec.Int("kernelSize"), new Rng(0),
            spec.Int("stride"), spec.Int("padding"), spec.Bool("bias"), Init.Zeros);

    private int PatchLength => InChannels * KernelSize * KernelSize;

    /// <inheritdoc/>
    public int[] OutputShape(IReadOnlyList<int> inputShape)
    {
        if (inputShape.Count != 4 || inputShape[1] != InChannels)
        {
            throw new ArgumentException($"{Spec} expects input (N, {InChannels}, H, W), got {Tensor.FormatShape(inputShape.ToArray())}");
        }
        int height = (inputShape[2] + 2 * Padding - KernelSize) / Stride + 1;
        int width = (inputShape[3] + 2 * Padding - KernelSize) / Stride + 1;
        if (inputShape[2] + 2 * Padding < KernelSize || inputShape[3] + 2 * Padding < KernelSize)
        {
            throw new ArgumentException($"{Spec}: a {inputShape[2]}×{inputShape[3]} input is smaller than the {KernelSize}×{KernelSize} kernel");
        }
        return [inputShape[0], OutChannels, height, width];
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        int[] shape = OutputShape(input.Shape);
        var output = new Tensor(shape);
        var geometry = new Geometry(this, input.Size(2), input.Size(3), shape[2], shape[3]);
        float[] x = input.Data, y = output.Data, w = Weight.Value.Data;
        float[]? b = Bias?.Value.Data;
        ForEachImage(input.Size(0), geometry, (n, col) =>
        {
            geometry.Im2Col(x.AsSpan(n * geometry.InputLength, geometry.InputLength), col);
            Span<float> yn = y.AsSpan(n * geometry.OutputLength, geometry.OutputLength);
            if (b is not null)
            {
                for (int o = 0; o < OutChannels; o++)
                {
                    yn.Slice(o * geometry.Positions, geometry.Positions).Fill(b[o]);
                }
            }
            // (OC, C·k·k) x (C·k·k, OH·OW) -> (OC, OH·OW): already the NCHW layout of image n.
            MatMul.Multiply(w, col, yn, OutChannels, geometry.Positions, PatchLength, beta: b is null ? 0f : 1f);
        });
        _input = input;
        return output;
    }

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient) => Backward(outputGradient, inputGradient: true)!;

    /// <inheritdoc/>
    public void BackwardParametersOnly(Tensor outputGradient) => Backward(outputGradient, inputGradient: false);

    private Tensor? Backward(Tensor outputGradient, bool inputGradient)
    {
        Tensor input = _input ?? throw new InvalidOperationException("Conv2d.Backward called before Forward");
        int[] shape = OutputShape(input.Shape);
        outputGradient.RequireShape($"{Spec}.Backward output gradient", shape);
        int count = input.Size(0);
        var geometry = new Geometry(this, input.Size(2), input.Size(3), shape[2], shape[3]);
        int weightLength = OutChannels * PatchLength;
        if (_weightGradients.Length < count * weightLength)
        {
            _weightGradients = new float[count * weightLength];
        }
        float[] partial = _weightGradients;
        Tensor? dx = inputGradient ? new Tensor(input.Shape.ToArray()) : null;
        float[] x = input.Data, dy = outputGradient.Data, w = Weight.Value.Data;
        ForEachImage(count, geometry, (n, col) =>
        {
            ReadOnlySpan<float> dyn = dy.AsSpan(n * geometry.OutputLength, geometry.OutputLength);
            geometry.Im2Col(x.AsSpan(n * geometry.InputLength, geometry.InputLength), col);
            // ∂L/∂W from image n: (OC, OH·OW) x (OH·OW, C·k·k) -> (OC, C·k·k), reading col as its transpose.
            MatMul.Multiply(dyn, col, partial.AsSpan(n * weightLength, weightLength), OutChannels, PatchLength, geometry.Positions, transposeB: true);
            if (dx is not null)
            {
                // ∂L/∂col = Wᵀ·∂L/∂Y: (C·k·k, OC) x (OC, OH·OW), then each patch adds back into the pixels it came from.
                MatMul.Multiply(w, dyn, col, PatchLength, geometry.Positions, OutChannels, transposeA: true);
                geometry.Col2Im(col, dx.Data.AsSpan(n * geometry.InputLength, geometry.InputLength));
            }
        });

        // Sum the images' contributions in image order: the same result whatever the thread count.
        (Tensor weightGradient, float beta) = Weight.GradientForAccumulation();
        Span<float> dw = weightGradient.Span;
        if (beta == 0f)
        {
            dw.Clear();
        }
        for (int n = 0; n < count; n++)
        {
            TensorPrimitives.Add(dw, partial.AsSpan(n * weightLength, weightLength), dw);
        }
        if (Bias is not null)
        {
            (Tensor biasTensor, float biasBeta) = Bias.GradientForAccumulation();
            float[] biasGradient = biasTensor.Data;
            for (int o = 0; o < OutChannels; o++)
            {
                float sum = biasBeta == 0f ? 0f : biasGradient[o];
                for (int n = 0; n < count; n++)
                {
                    sum += FixedOrder.Sum(dy.AsSpan(n * geometry.OutputLength + o * geometry.Positions, geometry.Positions));
                }
                biasGradient[o] = sum;
            }
        }
        return dx;
    }

    private static void ForEachImage(int count, Geometry geometry, Action<int, float[]> body)
    {
        int threads = Math.Min(count, MatMul.MaxDegreeOfParallelism);
        if (threads <= 1)
        {
            float[] col = ArrayPool<float>.Shared.Rent(geometry.ColumnLength);
            for (int n = 0; n < count; n++)
            {
                body(n, col);
            }
            ArrayPool<float>.Shared.Return(col);
            return;
        }
        // Contiguous ranges of images per thread; each thread rents one patch buffer for all of its images.
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            float[] col = ArrayPool<float>.Shared.Rent(geometry.ColumnLength);
            for (int n = t * count / threads; n < (t + 1) * count / threads; n++)
            {
                body(n, col);
            }
            ArrayPool<float>.Shared.Return(col);
        });
    }

    /// <summary>The sizes of one image's input, patches and output, and im2col / col2im between them.</summary>
    private readonly struct Geometry(Conv2d layer, int height, int width, int outHeight, int outWidth)
    {
        public int Positions => outHeight * outWidth;

        public int InputLength => layer.InChannels * height * width;

        public int OutputLength => layer.OutChannels * Positions;

        public int ColumnLength => layer.PatchLength * Positions;

        /// <summary>col[(c·k + u)·k + v, i·OW + j] = X[c, i·s − p + u, j·s − p + v], zero outside the image.</summary>
        public void Im2Col(ReadOnlySpan<float> image, Span<float> col) => Walk(image, col, toColumns: true);

        /// <summary>The adjoint of <see cref="Im2Col"/>: each column entry is added back to its pixel.</summary>
        public void Col2Im(ReadOnlySpan<float> col, Span<float> image) => Walk(col, image, toColumns: false);

        private void Walk(ReadOnlySpan<float> source, Span<float> destination, bool toColumns)
        {
            int k = layer.KernelSize, stride = layer.Stride, padding = layer.Padding;
            for (int c = 0; c < layer.InChannels; c++)
            {
                for (int u = 0; u < k; u++)
                {
                    for (int v = 0; v < k; v++)
                    {
                        int row = ((c * k) + u) * k + v;
                        // Output columns j whose input column j·s − p + v lies inside [0, width).
                        int jStart = Math.Max(0, (padding - v + stride - 1) / stride);
                        int jEnd = Math.Min(outWidth, (width + padding - v + stride - 1) / stride);
                        for (int i = 0; i < outHeight; i++)
                        {
                            int inRow = i * stride - padding + u;
                            int colOffset = row * Positions + i * outWidth;
                            bool rowInside = inRow >= 0 && inRow < height && jStart < jEnd;
                            if (toColumns)
                            {
                                Span<float> target = destination.Slice(colOffset, outWidth);
                                if (!rowInside)
                                {
                                    target.Clear();
                                    continue;
                                }
                                target[..jStart].Clear();
                                target[jEnd..].Clear();
                                int imageOffset = (c * height + inRow) * width - padding + v;
                                if (stride == 1)
                                {
                                    source.Slice(imageOffset + jStart, jEnd - jStart).CopyTo(target[jStart..jEnd]);
                                }
                                else
                                {
                                    for (int j = jStart; j < jEnd; j++)
                                    {
                                        target[j] = source[imageOffset + j * stride];
                                    }
                                }
                            }
                            else if (rowInside)
                            {
                                int imageOffset = (c * height + inRow) * width - padding + v;
                                if (stride == 1)
                                {
                                    Span<float> pixels = destination.Slice(imageOffset + jStart, jEnd - jStart);
                                    TensorPrimitives.Add(pixels, source.Slice(colOffset + jStart, jEnd - jStart), pixels);
                                }
                                else
                                {
                                    for (int j = jStart; j < jEnd; j++)
                                    {
                                        destination[imageOffset + j * stride] += source[colOffset + j];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
