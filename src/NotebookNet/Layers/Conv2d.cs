using System.Numerics;
using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>
/// A 2-D convolution over NCHW tensors: (N, C, H, W) -> (N, OC, OH, OW) with OH = ⌊(H + 2·padding − k)/stride⌋ + 1.
/// Each output is Y[n, o, i, j] = b[o] + Σ_c Σ_u Σ_v W[o, c, u, v]·X[n, c, i·stride − padding + u, j·stride − padding + v],
/// computed as im2col + matrix multiply: the k×k patches of one image become the columns of a (C·k·k, OH·OW)
/// matrix, and Y[n] = W·col is one product with W seen as (OC, C·k·k). Images are spread over the threads,
/// each with its own buffers. Introduced in notebook 05.
/// <para>For stride 1 (every network in this project) the patch matrix is not built: <see cref="Correlation"/> reads
/// each patch row straight from the zero-padded image, at one offset per kernel tap, for the forward pass, the weight
/// gradient and (as a correlation of the padded output gradient with the flipped kernel) the input gradient.
/// <see cref="UseIm2Col"/> switches back to im2col for every stride.</para>
/// </summary>
public sealed class Conv2d : ILayer
{
    private Tensor? _input;
    private float[] _biasGradients = [];

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

    /// <summary>
    /// Compute this layer as im2col and a matrix multiply, as notebook 05 derives it, instead of reading the image in
    /// place when the stride is 1 (default false). Not saved with the model; the tests compare the two.
    /// </summary>
    public bool UseIm2Col { get; set; }

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
        var output = Tensor.ForOverwrite(shape); // both paths write every value
        var geometry = new Geometry(this, input.Size(2), input.Size(3), shape[2], shape[3]);
        float[] x = input.Data, y = output.Data, w = Weight.Value.Data;
        float[]? b = Bias?.Value.Data;
        _input = input;
        if (InPlace)
        {
            var direct = new InPlaceGeometry(this, input.Size(2), input.Size(3));
            float[] packed = direct.PackForward(w);
            EachImage.Run(input.Size(0), direct.ForwardBufferLength, (n, buffer) =>
                direct.Forward(x.AsSpan(n * geometry.InputLength, geometry.InputLength), packed, b, y.AsSpan(n * geometry.OutputLength, geometry.OutputLength), buffer));
            return output;
        }
        EachImage.Run(input.Size(0), geometry.ColumnLength, (n, col) =>
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
        return output;
    }

    /// <inheritdoc/>
    public void ReleaseBatch() => _input = null;

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient) => Backward(outputGradient, inputGradient: true)!;

    /// <inheritdoc/>
    public void BackwardParametersOnly(Tensor outputGradient) => Backward(outputGradient, inputGradient: false);

    private Tensor? Backward(Tensor outputGradient, bool inputGradient)
    {
        Tensor input = _input ?? throw new InvalidOperationException("Conv2d.Backward called before Forward");
        int[] shape = OutputShape(input.Shape);
        outputGradient.RequireShape(() => $"{Spec}.Backward output gradient", shape);
        int count = input.Size(0);
        var geometry = new Geometry(this, input.Size(2), input.Size(3), shape[2], shape[3]);
        int weightLength = OutChannels * PatchLength;
        // Each image's ∂L/∂W, summed in image order below: scratch of this pass, reused from batch to batch in the training
        // loop's scope (every value is written).
        float[] partial = TensorScope.Allocate(count * weightLength, zeroed: false);
        if (Bias is not null && _biasGradients.Length < count * OutChannels)
        {
            _biasGradients = new float[count * OutChannels];
        }
        // In place, every value of ∂L/∂X is written; im2col adds the patches into zeros.
        Tensor? dx = !inputGradient ? null : InPlace ? Tensor.ForOverwrite(input.Shape.ToArray()) : new Tensor(input.Shape.ToArray());
        float[] x = input.Data, dy = outputGradient.Data, w = Weight.Value.Data;
        if (InPlace)
        {
            var direct = new InPlaceGeometry(this, input.Size(2), input.Size(3));
            float[]? flipped = dx is null ? null : direct.PackFlipped(w);
            EachImage.Run(count, direct.BackwardBufferLength, (n, buffer) =>
            {
                direct.Backward(x.AsSpan(n * geometry.InputLength, geometry.InputLength), dy.AsSpan(n * geometry.OutputLength, geometry.OutputLength),
                    partial.AsSpan(n * weightLength, weightLength), flipped, dx is null ? default : dx.Data.AsSpan(n * geometry.InputLength, geometry.InputLength), buffer);
                SumBiasGradient(n, geometry, dy);
            });
        }
        else
        {
            Im2ColBackward(count, geometry, x, dy, w, partial, weightLength, dx);
        }
        SumWeightGradients(count, partial, weightLength);
        return dx;
    }

    private bool InPlace => Stride == 1 && !UseIm2Col && !MatMul.UseReference;

    private void Im2ColBackward(int count, Geometry geometry, float[] x, float[] dy, float[] w, float[] partial, int weightLength, Tensor? dx)
    {
        EachImage.Run(count, geometry.ColumnLength, (n, col) =>
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
            SumBiasGradient(n, geometry, dy);
        });
    }

    /// <summary>Image <paramref name="n"/>'s ∂L/∂b: each channel's ∂L/∂Y summed, for <see cref="SumWeightGradients"/> to add in image order.</summary>
    private void SumBiasGradient(int n, Geometry geometry, float[] dy)
    {
        if (Bias is null)
        {
            return;
        }
        for (int o = 0; o < OutChannels; o++)
        {
            _biasGradients[n * OutChannels + o] = FixedOrder.Sum(dy.AsSpan(n * geometry.OutputLength + o * geometry.Positions, geometry.Positions));
        }
    }

    private void SumWeightGradients(int count, float[] partial, int weightLength)
    {
        // Sum the images' contributions in image order: the same result whatever the thread count.
        (Tensor weightGradient, float beta) = Weight.GradientForAccumulation();
        float[] dw = weightGradient.Data;
        // In parts on the threads: each weight's sum is its own, in image order.
        EachPart.Run(weightLength, (offset, length) =>
        {
            Span<float> sums = dw.AsSpan(offset, length);
            if (beta == 0f)
            {
                sums.Clear();
            }
            for (int n = 0; n < count; n++)
            {
                TensorPrimitives.Add(sums, partial.AsSpan(n * weightLength + offset, length), sums);
            }
        }, partLength: 1024);
        if (Bias is not null)
        {
            (Tensor biasTensor, float biasBeta) = Bias.GradientForAccumulation();
            float[] biasGradient = biasTensor.Data;
            for (int o = 0; o < OutChannels; o++)
            {
                float sum = biasBeta == 0f ? 0f : biasGradient[o];
                for (int n = 0; n < count; n++)
                {
                    sum += _biasGradients[n * OutChannels + o];
                }
                biasGradient[o] = sum;
            }
        }
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

    /// <summary>
    /// The sizes and buffers of the stride-1 path that reads the padded image in place (<see cref="Correlation"/>):
    /// an image of C channels padded to Hp × Wp, outputs at positions q = i·Wp + j.
    /// </summary>
    private sealed unsafe class InPlaceGeometry
    {
        private readonly Conv2d _layer;
        private readonly int _height, _width, _paddedHeight, _paddedWidth, _outHeight, _outWidth;
        private readonly int[] _tapOffsets;          // tap (c, u, v) → c·Hp·Wp + u·Wp + v in the padded image
        private readonly int[] _flippedTapOffsets;   // tap (o, u, v) → o·Hd·Wd + u·Wd + v in the padded output gradient
        private readonly int _gradientHeight, _gradientWidth;
        private readonly int _gradientPadding;       // zeros around ∂L/∂Y: k − 1 − padding, or 0 for a padding wider than k − 1
        private readonly int _crop;                  // rows and columns of the correlation before ∂L/∂X[0, 0]: 0, or padding − (k − 1)

        public InPlaceGeometry(Conv2d layer, int height, int width)
        {
            _layer = layer;
            (_height, _width) = (height, width);
            int k = layer.KernelSize;
            (_paddedHeight, _paddedWidth) = (height + 2 * layer.Padding, width + 2 * layer.Padding);
            (_outHeight, _outWidth) = (_paddedHeight - k + 1, _paddedWidth - k + 1);
            // The input gradient is the output gradient, padded by k − 1 all round, correlated with the flipped kernel,
            // cropped by the padding. Padded by k − 1 − padding instead, the correlation starts at the first pixel of
            // ∂L/∂X: the same taps in the same order at every pixel kept, and none computed only to be cropped.
            _gradientPadding = Math.Max(0, k - 1 - layer.Padding);
            _crop = layer.Padding - (k - 1 - _gradientPadding);
            (_gradientHeight, _gradientWidth) = (_outHeight + 2 * _gradientPadding, _outWidth + 2 * _gradientPadding);
            _tapOffsets = Taps(layer.InChannels, _paddedHeight * _paddedWidth, _paddedWidth, k);
            _flippedTapOffsets = Taps(layer.OutChannels, _gradientHeight * _gradientWidth, _gradientWidth, k);
        }

        private static int[] Taps(int channels, int plane, int rowLength, int k)
        {
            var offsets = new int[channels * k * k];
            for (int c = 0; c < channels; c++)
            {
                for (int u = 0; u < k; u++)
                {
                    for (int v = 0; v < k; v++)
                    {
                        offsets[(c * k + u) * k + v] = c * plane + u * rowLength + v;
                    }
                }
            }
            return offsets;
        }

        private int Depth => _layer.PatchLength;

        private int OutGroups => Correlation.Groups(_layer.OutChannels);

        private int InGroups => Correlation.Groups(_layer.InChannels);

        /// <summary>Positions computed in the forward pass: up to the last valid output, wrapped columns included.</summary>
        private int Positions => (_outHeight - 1) * _paddedWidth + _outWidth;

        /// <summary>Positions of the weight gradient's sum: whole rows, rounded up to 8 (the extra ones hold zeros).</summary>
        private int GradientPositions => (_outHeight * _paddedWidth + 7) / 8 * 8;

        /// <summary>Positions computed for the input gradient: up to its last pixel (after the crop), in rows of Wd.</summary>
        private int InputGradientPositions => (_crop + _height - 1) * _gradientWidth + _crop + _width;

        private int PaddedInputLength => _layer.InChannels * _paddedHeight * _paddedWidth + _paddedWidth + 2 * Correlation.Overrun + 8;

        private int PaddedGradientLength => _layer.OutChannels * _gradientHeight * _gradientWidth + _gradientWidth + 2 * Correlation.Overrun;

        public int ForwardBufferLength => PaddedInputLength + OutGroups * Correlation.ChannelsPerTile * Positions;

        public int BackwardBufferLength => PaddedInputLength
            + OutGroups * Correlation.ChannelsPerTile * (GradientPositions + Depth)
            + PaddedGradientLength + InGroups * Correlation.ChannelsPerTile * InputGradientPositions;

        /// <summary>W (OC, C·k·k) packed in groups of four output channels.</summary>
        public float[] PackForward(float[] w)
        {
            var packed = new float[OutGroups * Correlation.ChannelsPerTile * Depth];
            Correlation.PackWeights(w, _layer.OutChannels, Depth, packed);
            return packed;
        }

        /// <summary>The flipped kernel with its channels swapped, W′[c, (o, u, v)] = W[o, c, k−1−u, k−1−v], packed.</summary>
        public float[] PackFlipped(float[] w)
        {
            int k = _layer.KernelSize, inChannels = _layer.InChannels, outChannels = _layer.OutChannels;
            int depth = outChannels * k * k;
            var flipped = new float[inChannels * depth];
            for (int c = 0; c < inChannels; c++)
            {
                for (int o = 0; o < outChannels; o++)
                {
                    for (int u = 0; u < k; u++)
                    {
                        for (int v = 0; v < k; v++)
                        {
                            flipped[c * depth + (o * k + u) * k + v] = w[((o * inChannels + c) * k + (k - 1 - u)) * k + (k - 1 - v)];
                        }
                    }
                }
            }
            var packed = new float[InGroups * Correlation.ChannelsPerTile * depth];
            Correlation.PackWeights(flipped, inChannels, depth, packed);
            return packed;
        }

        /// <summary>Copies one image into a zero-padded one of Hp × Wp per channel, zeros after it.</summary>
        private void Pad(ReadOnlySpan<float> image, Span<float> padded)
        {
            int padding = _layer.Padding;
            if (padding == 0)
            {
                // The image is its own padded layout: one copy, zeros after it.
                image.CopyTo(padded);
                padded[image.Length..PaddedInputLength].Clear();
                return;
            }
            padded[..PaddedInputLength].Clear();
            CopyRows(image, _height * _width, _width, padded[(padding * _paddedWidth + padding)..], _paddedHeight * _paddedWidth, _paddedWidth,
                _layer.InChannels, _height, _width);
        }

        /// <summary>
        /// Copies <paramref name="channels"/> planes of <paramref name="rows"/> rows of <paramref name="width"/> floats from one
        /// layout to another: row i of plane c starts at c·plane + i·row in each, with that side's plane and row lengths.
        /// </summary>
        private static void CopyRows(ReadOnlySpan<float> source, int sourcePlane, int sourceRow,
            Span<float> target, int targetPlane, int targetRow, int channels, int rows, int width)
        {
            for (int c = 0; c < channels; c++)
            {
                for (int i = 0; i < rows; i++)
                {
                    source.Slice(c * sourcePlane + i * sourceRow, width).CopyTo(target.Slice(c * targetPlane + i * targetRow, width));
                }
            }
        }

        /// <summary>Y[o, i, j] = b[o] + Σ_taps, for one image.</summary>
        public void Forward(ReadOnlySpan<float> image, float[] packed, float[]? bias, Span<float> output, float[] buffer)
        {
            Span<float> padded = buffer.AsSpan(0, PaddedInputLength);
            Pad(image, padded);
            int positions = Positions;
            fixed (float* x = buffer, w = packed)
            fixed (int* offsets = _tapOffsets)
            {
                float* y = x + PaddedInputLength;
                Correlation.Correlate(x, offsets, Depth, w, _layer.OutChannels, y, positions, positions);
            }
            // Keep the valid columns of each row and add the bias: (OC, OH, OW), the NCHW layout.
            ReadOnlySpan<float> sums = buffer.AsSpan(PaddedInputLength);
            for (int o = 0; o < _layer.OutChannels; o++)
            {
                for (int i = 0; i < _outHeight; i++)
                {
                    ReadOnlySpan<float> row = sums.Slice(o * positions + i * _paddedWidth, _outWidth);
                    Span<float> target = output.Slice((o * _outHeight + i) * _outWidth, _outWidth);
                    if (bias is null)
                    {
                        row.CopyTo(target);
                    }
                    else
                    {
                        AddBias(row, bias[o], target);
                    }
                }
            }
        }

        /// <summary>
        /// target = row + bias, value by value: a loop of its own rather than a TensorPrimitives call, as the rows are short
        /// (7 to 28 values) and there is one per output row and channel.
        /// </summary>
        private static void AddBias(ReadOnlySpan<float> row, float bias, Span<float> target)
        {
            int j = 0;
            var biases = new Vector<float>(bias);
            for (; j + Vector<float>.Count <= row.Length; j += Vector<float>.Count)
            {
                (new Vector<float>(row[j..]) + biases).CopyTo(target[j..]);
            }
            for (; j < row.Length; j++)
            {
                target[j] = row[j] + bias;
            }
        }

        /// <summary>One image's ∂L/∂W into <paramref name="weightGradient"/> and, given the flipped kernel, its ∂L/∂X.</summary>
        public void Backward(ReadOnlySpan<float> image, ReadOnlySpan<float> outputGradient, Span<float> weightGradient,
            float[]? flipped, Span<float> inputGradient, float[] buffer)
        {
            int outChannels = _layer.OutChannels, k = _layer.KernelSize;
            int gradientPositions = GradientPositions, rows = OutGroups * Correlation.ChannelsPerTile;
            int spread = PaddedInputLength, weights = spread + rows * gradientPositions;
            int paddedGradient = weights + rows * Depth, sums = paddedGradient + PaddedGradientLength;
            Pad(image, buffer.AsSpan(0, PaddedInputLength));

            // ∂L/∂Y spread to rows of Wp, zero at the wrapped columns so they add nothing to ∂L/∂W.
            Span<float> spreadGradient = buffer.AsSpan(spread, rows * gradientPositions);
            spreadGradient.Clear();
            CopyRows(outputGradient, _outHeight * _outWidth, _outWidth, spreadGradient, gradientPositions, _paddedWidth, outChannels, _outHeight, _outWidth);
            fixed (float* b = buffer)
            fixed (int* offsets = _tapOffsets)
            {
                Correlation.CorrelateWeights(b + spread, gradientPositions, OutGroups, b, offsets, Depth, gradientPositions, b + weights);
            }
            buffer.AsSpan(weights, outChannels * Depth).CopyTo(weightGradient);
            if (flipped is null)
            {
                return;
            }

            // ∂L/∂X: ∂L/∂Y padded by k − 1 − padding all round, correlated with the flipped kernel.
            Span<float> padded = buffer.AsSpan(paddedGradient, PaddedGradientLength);
            padded.Clear();
            CopyRows(outputGradient, _outHeight * _outWidth, _outWidth, padded[(_gradientPadding * _gradientWidth + _gradientPadding)..], _gradientHeight * _gradientWidth,
                _gradientWidth, outChannels, _outHeight, _outWidth);
            int positions = InputGradientPositions;
            fixed (float* b = buffer, w = flipped)
            fixed (int* offsets = _flippedTapOffsets)
            {
                Correlation.Correlate(b + paddedGradient, offsets, outChannels * k * k, w, _layer.InChannels, b + sums, positions, positions);
            }
            CopyRows(buffer.AsSpan(sums + _crop * _gradientWidth + _crop), positions, _gradientWidth, inputGradient, _height * _width, _width,
                _layer.InChannels, _height, _width);
        }
    }
}
