using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NotebookNet.Tensors;

namespace NotebookNet.Optimizers;

/// <summary>
/// Minibatch SGD: θ ← θ − η·∇θL. With momentum μ: v ← μ·v + g, θ ← θ − η·v (PyTorch's form);
/// with weight decay λ the gradient is g = ∇θL + λ·θ (L2 regularisation). Introduced in notebook 04.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[][]? _velocities;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative or momentum is not in [0, 1).</exception>
    public Sgd(IEnumerable<Parameter> parameters, float learningRate, float momentum = 0f, float weightDecay = 0f)
        : base(parameters, learningRate)
    {
        if (!(momentum >= 0f && momentum < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1)");
        }
        if (!(weightDecay >= 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be ≥ 0");
        }
        Momentum = momentum;
        WeightDecay = weightDecay;
        _velocities = momentum > 0f ? StatePerParameter("velocity") : null;
    }

    /// <summary>μ, the fraction of the last step kept.</summary>
    public float Momentum { get; }

    /// <summary>λ, the L2 penalty's coefficient.</summary>
    public float WeightDecay { get; }

    /// <summary>Plain SGD (no momentum, no weight decay) updates straight from a gradient held as an outer product.</summary>
    public override bool UpdatesFromOuterProducts => _velocities is null && WeightDecay == 0f;

    /// <summary>
    /// θ −= η·(left ⊗ right) in one pass over θ: each value's gradient is the rounded product left[i]·right[j], then
    /// multiplied by −η and added, the two roundings of <see cref="Update"/>'s <c>TensorPrimitives.MultiplyAdd</c>, so the
    /// bits are the same as writing the gradient and updating from it — two passes over memory fewer. Rashid's network
    /// (784-200-10, batch 1), AVX2, alternately with the build that wrote the gradient: a timing harness's step 46–51 →
    /// 40–43 µs; <c>bench --workloads W2</c> medians in three pairs 2.81, 2.87, 2.67 → 2.67, 2.57, 2.48 s an epoch.
    /// </summary>
    protected override void UpdateFromOuterProduct(int index, int offset, Span<float> theta, ReadOnlySpan<float> left, ReadOnlySpan<float> right, float learningRate)
    {
        int columns = right.Length;
        var step = new Vector<float>(-learningRate);
        for (int i = 0; i < theta.Length;)
        {
            int row = (offset + i) / columns, column = (offset + i) % columns, count = Math.Min(columns - column, theta.Length - i);
            ref float values = ref MemoryMarshal.GetReference(theta.Slice(i, count));
            ref float inputs = ref MemoryMarshal.GetReference(right.Slice(column, count));
            var scale = new Vector<float>(left[row]);
            nuint j = 0;
            for (; j + (nuint)Vector<float>.Count <= (nuint)count; j += (nuint)Vector<float>.Count)
            {
                Vector<float> gradient = Vector.LoadUnsafe(ref inputs, j) * scale;
                (gradient * step + Vector.LoadUnsafe(ref values, j)).StoreUnsafe(ref values, j);
            }
            for (; j < (nuint)count; j++)
            {
                float gradient = Unsafe.Add(ref inputs, j) * left[row];
                Unsafe.Add(ref values, j) = gradient * -learningRate + Unsafe.Add(ref values, j);
            }
            i += count;
        }
    }

    /// <inheritdoc/>
    protected override void Update(int index, int offset, Span<float> theta, Span<float> gradient, float learningRate)
    {
        if (WeightDecay > 0f)
        {
            TensorPrimitives.MultiplyAdd(theta, WeightDecay, gradient, gradient); // g += λ·θ
        }
        if (_velocities is null)
        {
            TensorPrimitives.MultiplyAdd(gradient, -learningRate, theta, theta); // θ −= η·g
            return;
        }
        Span<float> velocity = _velocities[index].AsSpan(offset, theta.Length);
        TensorPrimitives.MultiplyAdd(velocity, Momentum, gradient, velocity); // v = μ·v + g
        TensorPrimitives.MultiplyAdd(velocity, -learningRate, theta, theta); // θ −= η·v
    }
}
