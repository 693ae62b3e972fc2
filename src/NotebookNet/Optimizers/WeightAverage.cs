using System.Numerics;
using NotebookNet.Tensors;

namespace NotebookNet.Optimizers;

/// <summary>
/// An exponential moving average of the parameters over training steps (Polyak averaging):
/// θ̄ ← d·θ̄ + (1 − d)·θ after every step, with d = min(decay, (1 + t)/(10 + t)) so early steps are not weighed by
/// the random start. The last steps of SGD or Adam jitter around a minimum; their average sits nearer to it, which
/// is worth most when training is short. Notebook 05 uses it through the small CNN's recipe (<c>TrainingOptions.WeightAveraging</c>).
/// </summary>
public sealed class WeightAverage
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly float[][] _average;
    private float[][]? _saved;
    private long _updates;

    /// <summary>Starts the average at the parameters' current values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decay"/> is not in [0, 1).</exception>
    public WeightAverage(IReadOnlyList<Parameter> parameters, float decay = 0.999f)
    {
        if (!(decay >= 0f && decay < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "the decay must be in [0, 1)");
        }
        _parameters = parameters;
        Decay = decay;
        _average = parameters.Select(parameter => parameter.Value.Data.ToArray()).ToArray();
    }

    /// <summary>The largest weight an old average keeps at each update, d.</summary>
    public float Decay { get; }

    /// <summary>The averaged values, one array per parameter: a training checkpoint saves them.</summary>
    public IReadOnlyList<float[]> Averages => _average;

    /// <summary>The updates folded in so far, which set the early decay; set only when resuming from a checkpoint.</summary>
    public long Updates
    {
        get => _updates;
        set => _updates = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Updates), value, "an update count is ≥ 0");
    }

    /// <summary>Whether <see cref="Apply"/> has put the average into the parameters.</summary>
    public bool IsApplied => _saved is not null;

    /// <summary>Folds the parameters' current values into the average; call after each optimizer step.</summary>
    /// <exception cref="InvalidOperationException">The average is applied: <see cref="Restore"/> first.</exception>
    public void Update()
    {
        if (IsApplied)
        {
            throw new InvalidOperationException("the averaged weights are in the model; Restore() before updating the average");
        }
        _updates++;
        float decay = Math.Min(Decay, (1f + _updates) / (10f + _updates));
        float rate = 1f - decay;
        for (int i = 0; i < _parameters.Count; i++)
        {
            float[] average = _average[i], value = _parameters[i].Value.Data;
            // A large parameter in parts on the threads: each value's average is its own, so the bits are the same.
            EachPart.Run(average.Length, (offset, length) => Blend(average.AsSpan(offset, length), value.AsSpan(offset, length), rate));
        }
    }

    /// <summary>θ̄ ← d·θ̄ + (1 − d)·θ, computed as θ̄ + (1 − d)·(θ − θ̄).</summary>
    private static void Blend(Span<float> average, ReadOnlySpan<float> value, float rate)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // The same operations on whole vectors: the scalar loop's bits, lane by lane.
            Vector<float> rates = new(rate);
            for (; j <= average.Length - Vector<float>.Count; j += Vector<float>.Count)
            {
                Vector<float> mean = new(average[j..]);
                (mean + rates * (new Vector<float>(value[j..]) - mean)).CopyTo(average[j..]);
            }
        }
        for (; j < average.Length; j++)
        {
            average[j] += rate * (value[j] - average[j]);
        }
    }

    /// <summary>Puts the averaged values into the parameters, keeping the trained ones for <see cref="Restore"/>.</summary>
    public void Apply()
    {
        if (IsApplied)
        {
            return;
        }
        _saved = _parameters.Select(parameter => parameter.Value.Data.ToArray()).ToArray();
        for (int i = 0; i < _parameters.Count; i++)
        {
            _average[i].CopyTo(_parameters[i].Value.Data, 0);
        }
    }

    /// <summary>Puts the trained values back after <see cref="Apply"/>.</summary>
    public void Restore()
    {
        if (_saved is null)
        {
            return;
        }
        for (int i = 0; i < _parameters.Count; i++)
        {
            _saved[i].CopyTo(_parameters[i].Value.Data, 0);
        }
        _saved = null;
    }
}
