namespace NotebookNet.Training;

/// <summary>
/// A learning-rate schedule: the factor by which the optimizer's base rate (<see cref="Optimizers.Optimizer.LearningRate"/>)
/// is multiplied in each epoch, sized from the run it belongs to. Because the trainer passes the run's own number of
/// epochs, a schedule stays right when a run is shortened or lengthened (<c>train --epochs 5</c>).
/// </summary>
/// <param name="Name">How the schedule prints, e.g. <c>cosine</c>.</param>
/// <param name="Factor">The factor for epoch <c>e</c> (0-based) of a run of <c>E</c> epochs: <c>Factor(e, E)</c>.</param>
public sealed record Schedule(string Name, Func<int, int, float> Factor)
{
    /// <summary>No schedule: the base rate throughout.</summary>
    public static Schedule Constant { get; } = new("constant", (_, _) => 1f);

    /// <summary>Cosine annealing from the base rate (factor 1) down to <paramref name="finalFactor"/> × base over the run:
    /// factor(e) = f + ½(1 − f)(1 + cos(π·e/E)).</summary>
    public static Schedule Cosine(float finalFactor = 0f) =>
        new(finalFactor == 0f ? "cosine" : $"cosine to {finalFactor}×",
            (epoch, epochs) => finalFactor + 0.5f * (1f - finalFactor) * (1f + MathF.Cos(MathF.PI * epoch / Math.Max(1, epochs))));

    /// <summary>The base rate multiplied by <paramref name="factor"/> every <paramref name="every"/> epochs.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="every"/> is not positive.</exception>
    public static Schedule Step(int every, float factor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every);
        return new($"×{factor} every {every} epochs", (epoch, _) => MathF.Pow(factor, epoch / every));
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
