namespace NotebookNet.Training;

/// <summary>Learning-rate schedules: the rate of each 0-based epoch. Introduced in notebook 07.</summary>
public static class Schedules
{
    /// <summary>The same rate every epoch.</summary>
    public static Func<int, float> Constant(float learningRate) => _ => learningRate;

    /// <summary>Cosine annealing from <paramref name="learningRate"/> down to <paramref name="final"/> over <paramref name="epochs"/> epochs.</summary>
    public static Func<int, float> Cosine(float learningRate, int epochs, float final = 0f) =>
        epoch => final + 0.5f * (learningRate - final) * (1f + MathF.Cos(MathF.PI * epoch / Math.Max(1, epochs)));

    /// <summary>The rate multiplied by <paramref name="factor"/> every <paramref name="every"/> epochs.</summary>
    public static Func<int, float> Step(float learningRate, int every, float factor) =>
        epoch => learningRate * MathF.Pow(factor, epoch / every);
}
