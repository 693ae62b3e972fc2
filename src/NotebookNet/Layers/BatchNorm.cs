using System.Numerics;
using NotebookNet.Tensors;

namespace NotebookNet.Layers;

/// <summary>
/// Batch normalisation (Ioffe &amp; Szegedy 2015) over the channels of (N, C) or (N, C, H, W) inputs — PyTorch's
/// BatchNorm1d and BatchNorm2d in one. While training, each channel c is normalised by the mean μ and the (biased)
/// variance σ² of its m = N·H·W values in the batch, then scaled and shifted:
/// <c>x̂ = (x − μ)/√(σ² + ε)</c>, <c>y = γ·x̂ + β</c>; the running averages
/// <c>r ← (1 − momentum)·r + momentum·batch statistic</c> (the variance unbiased, × m/(m − 1)) are kept for evaluation,
/// which normalises with them instead. Backward in training:
/// <c>∂L/∂x = γ/√(σ² + ε) · (g − mean(g) − x̂·mean(g·x̂))</c> with g = ∂L/∂y, means over the channel's m values.
/// </summary>
public sealed class BatchNorm : ILayer
{
    private Tensor? _normalized;
    private float[] _inverseDeviation = [];

    /// <summary>Creates the layer with γ = 1, β = 0, running mean 0 and running variance 1.</summary>
    /// <param name="numFeatures">C, the channels (or features) normalised.</param>
    /// <param name="momentum">The weight of each batch in the running statistics (PyTorch's default 0.1).</param>
    /// <param name="epsilon">ε, added to the variance so the division stays finite.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, momentum not in [0, 1] or ε not positive.</exception>
    public BatchNorm(int numFeatures, float momentum = 0.1f, float epsilon = 1e-5f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        if (!(momentum is >= 0f and <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "must be in [0, 1]");
        }
        if (!(epsilon > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be positive");
        }
        NumFeatures = numFeatures;
        Momentum = momentum;
        Epsilon = epsilon;
        Weight = new Parameter("weight", Tensor.Full(1f, numFeatures));
        Bias = new Parameter("bias", new Tensor(numFeatures));
        RunningMean = new Tensor(numFeatures);
        RunningVariance = Tensor.Full(1f, numFeatures);
        Parameters = [Weight, Bias];
        Buffers = [new("running_mean", RunningMean), new("running_var", RunningVariance)];
    }

    /// <summary>C, the channels normalised.</summary>
    public int NumFeatures { get; }

    /// <summary>The weight of each batch in the running statistics.</summary>
    public float Momentum { get; }

    /// <summary>ε, added to the variance.</summary>
    public float Epsilon { get; }

    /// <summary>γ, the scale of each channel, shape (C,).</summary>
    public Parameter Weight { get; }

    /// <summary>β, the shift of each channel, shape (C,).</summary>
    public Parameter Bias { get; }

    /// <summary>The running mean of each channel, used in evaluation (a buffer: saved, not trained).</summary>
    public Tensor RunningMean { get; }

    /// <summary>The running (unbiased) variance of each channel, used in evaluation.</summary>
    public Tensor RunningVariance { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <inheritdoc/>
    public IReadOnlyList<NamedTensor> Buffers { get; }

    /// <inheritdoc/>
    public bool IsTraining { get; set; } = true;

    /// <inheritdoc/>
    public LayerSpec Spec => new(nameof(BatchNorm), ("numFeatures", NumFeatures), ("momentum", Momentum), ("epsilon", Epsilon));

    /// <summary>Rebuilds the layer described by <paramref name="spec"/>; a model file then fills its state.</summary>
    public static BatchNorm FromSpec(LayerSpec spec) => new(spec.Int("numFeatures"), spec.Float("momentum"), spec.Float("epsilon"));

    /// <inheritdoc/>
    public int[] OutputShape(IReadOnlyList<int> inputShape)
    {
        if (inputShape.Count is not (2 or 4) || inputShape[1] != NumFeatures)
        {
            throw new ArgumentException($"{Spec} expects input (N, {NumFeatures}) or (N, {NumFeatures}, H, W), got {Tensor.FormatShape(inputShape.ToArray())}");
        }
        return inputShape.ToArray();
    }

    /// <inheritdoc/>
    public Tensor Forward(Tensor input)
    {
        OutputShape(input.Shape);
        (int count, int plane) = Layout(input);
        int m = count * plane;
        if (IsTraining && m < 2)
        {
            throw new ArgumentException($"{Spec}: training needs at least 2 values per channel to estimate a variance, got {m}");
        }
        var output = Tensor.ForOverwrite(input.Shape.ToArray());
        var normalized = Tensor.ForOverwrite(input.Shape.ToArray());
        if (_inverseDeviation.Length != NumFeatures)
        {
            _inverseDeviation = new float[NumFeatures];
        }
        float[] x = input.Data, y = output.Data, xHat = normalized.Data;
        // Each channel is its own work, the same whichever thread does it: the channels are spread over the threads.
        EachChannel(c =>
        {
            float mean, variance;
            if (IsTraining)
            {
                (double sum, double squares) = (0, 0);
                for (int n = 0; n < count; n++)
                {
                    ReadOnlySpan<float> values = x.AsSpan(Offset(n, c, plane), plane);
                    (float planeSum, float planeSquares) = FixedOrder.SumAndDot(values, values);
                    sum += planeSum;
                    squares += planeSquares;
                }
                mean = (float)(sum / m);
                variance = (float)Math.Max(0, squares / m - (sum / m) * (sum / m));
                RunningMean[c] = (1f - Momentum) * RunningMean[c] + Momentum * mean;
                RunningVariance[c] = (1f - Momentum) * RunningVariance[c] + Momentum * variance * m / (m - 1);
            }
            else
            {
                (mean, variance) = (RunningMean[c], RunningVariance[c]);
            }
            float inverse = 1f / MathF.Sqrt(variance + Epsilon);
            _inverseDeviation[c] = inverse;
            float gamma = Weight.Value[c], beta = Bias.Value[c];
            for (int n = 0; n < count; n++)
            {
                int offset = Offset(n, c, plane);
                Normalize(x.AsSpan(offset, plane), mean, inverse, gamma, beta, xHat.AsSpan(offset, plane), y.AsSpan(offset, plane));
            }
        });
        _normalized = normalized;
        return output;
    }

    /// <inheritdoc/>
    public void ReleaseBatch() => _normalized = null;

    /// <inheritdoc/>
    public Tensor Backward(Tensor outputGradient)
    {
        Tensor normalized = _normalized ?? throw new InvalidOperationException("BatchNorm.Backward called before Forward");
        outputGradient.RequireShape(() => $"{Spec}.Backward output gradient", normalized.Shape.ToArray());
        (int count, int plane) = Layout(normalized);
        int m = count * plane;
        var inputGradient = Tensor.ForOverwrite(normalized.Shape.ToArray());
        float[] g = outputGradient.Data, xHat = normalized.Data, dx = inputGradient.Data;
        (Tensor weightGradient, float weightBeta) = Weight.GradientForAccumulation();
        (Tensor biasGradient, float biasBeta) = Bias.GradientForAccumulation();
        EachChannel(c =>
        {
            (double sumG, double sumGxHat) = (0, 0);
            for (int n = 0; n < count; n++)
            {
                int offset = Offset(n, c, plane);
                (float planeG, float planeGxHat) = FixedOrder.SumAndDot(g.AsSpan(offset, plane), xHat.AsSpan(offset, plane));
                sumG += planeG;
                sumGxHat += planeGxHat;
            }
            biasGradient[c] = (biasBeta == 0f ? 0f : biasGradient[c]) + (float)sumG;                // ∂L/∂β += Σ g
            weightGradient[c] = (weightBeta == 0f ? 0f : weightGradient[c]) + (float)sumGxHat;      // ∂L/∂γ += Σ g·x̂
            float scale = Weight.Value[c] * _inverseDeviation[c];
            // In evaluation μ and σ² are constants, so ∂L/∂x = γ/σ·g; in training they depend on x too.
            float meanG = IsTraining ? (float)(sumG / m) : 0f, meanGxHat = IsTraining ? (float)(sumGxHat / m) : 0f;
            for (int n = 0; n < count; n++)
            {
                int offset = Offset(n, c, plane);
                InputGradient(g.AsSpan(offset, plane), xHat.AsSpan(offset, plane), scale, meanG, meanGxHat, dx.AsSpan(offset, plane));
            }
        });
        return inputGradient;
    }

    /// <summary>x̂ = (x − μ)·(1/σ) and y = γ·x̂ + β, value by value (vectors give the same bits: no step is fused).</summary>
    private static void Normalize(ReadOnlySpan<float> x, float mean, float inverse, float gamma, float beta, Span<float> xHat, Span<float> y)
    {
        int i = 0;
        (var means, var inverses, var gammas, var betas) = (new Vector<float>(mean), new Vector<float>(inverse), new Vector<float>(gamma), new Vector<float>(beta));
        for (; i + Vector<float>.Count <= x.Length; i += Vector<float>.Count)
        {
            Vector<float> normalizedValues = (new Vector<float>(x[i..]) - means) * inverses;
            normalizedValues.CopyTo(xHat[i..]);
            (gammas * normalizedValues + betas).CopyTo(y[i..]);
        }
        for (; i < x.Length; i++)
        {
            xHat[i] = (x[i] - mean) * inverse;
            y[i] = gamma * xHat[i] + beta;
        }
    }

    /// <summary>∂L/∂x = (γ/σ)·((g − mean(g)) − x̂·mean(g·x̂)), value by value.</summary>
    private static void InputGradient(ReadOnlySpan<float> g, ReadOnlySpan<float> xHat, float scale, float meanG, float meanGxHat, Span<float> dx)
    {
        int i = 0;
        (var scales, var meanGs, var meanGxHats) = (new Vector<float>(scale), new Vector<float>(meanG), new Vector<float>(meanGxHat));
        for (; i + Vector<float>.Count <= g.Length; i += Vector<float>.Count)
        {
            (scales * (new Vector<float>(g[i..]) - meanGs - new Vector<float>(xHat[i..]) * meanGxHats)).CopyTo(dx[i..]);
        }
        for (; i < g.Length; i++)
        {
            dx[i] = scale * (g[i] - meanG - xHat[i] * meanGxHat);
        }
    }

    /// <summary>Runs <paramref name="body"/> for each channel, the channels spread over the threads.</summary>
    private void EachChannel(Action<int> body) => EachImage.Run(NumFeatures, body);

    /// <summary>Where channel <paramref name="c"/>'s values of sample <paramref name="n"/> start.</summary>
    private int Offset(int n, int c, int plane) => (n * NumFeatures + c) * plane;

    /// <summary>N and the values per channel and sample (H·W, or 1 for (N, C)).</summary>
    private static (int Count, int Plane) Layout(Tensor input) =>
        (input.Size(0), input.Rank == 4 ? input.Size(2) * input.Size(3) : 1);
}
