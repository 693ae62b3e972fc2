namespace NotebookNet;

/// <summary>How a reader's answer to an exercise fared.</summary>
public enum ExerciseOutcome
{
    /// <summary>The answer still throws <see cref="NotImplementedException"/>: nothing written yet.</summary>
    NotAttempted,

    /// <summary>The answer ran and gave something else, or threw.</summary>
    Wrong,

    /// <summary>The answer gave the expected result.</summary>
    Correct,
}

/// <summary>The result of <see cref="Exercise.Check{T}(string, Func{T}, T, IEqualityComparer{T}?)"/>, shown as its message.</summary>
public sealed record ExerciseResult(string Name, ExerciseOutcome Outcome, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => Message;
}

/// <summary>
/// Check cells for the notebooks' exercises: the reader writes an answer in the cell above (which starts as
/// <c>throw new NotImplementedException()</c>) and runs the check, which compares it with the library's own result and
/// says what differs. Introduced in notebook 01.
/// </summary>
public static class Exercise
{
    /// <summary>Runs <paramref name="answer"/> and compares its result with <paramref name="expected"/>.</summary>
    public static ExerciseResult Check<T>(string name, Func<T> answer, T expected, IEqualityComparer<T>? comparer = null)
    {
        T given;
        try
        {
            given = answer();
        }
        catch (NotImplementedException)
        {
            return new(name, ExerciseOutcome.NotAttempted,
                $"{name}: not attempted yet — replace the NotImplementedException in the cell above with your answer, run that cell, then this one.");
        }
        catch (Exception error)
        {
            return new(name, ExerciseOutcome.Wrong, $"✗ {name}: your answer threw {error.GetType().Name}: {error.Message}");
        }
        return (comparer ?? EqualityComparer<T>.Default).Equals(given, expected)
            ? new(name, ExerciseOutcome.Correct, $"✓ {name}: correct ({Show(given)}).")
            : new(name, ExerciseOutcome.Wrong, $"✗ {name}: expected {Show(expected)}, your answer gives {Show(given)}.");
    }

    /// <summary>Compares a numeric answer with <paramref name="expected"/> within <paramref name="tolerance"/>.</summary>
    public static ExerciseResult Check(string name, Func<double> answer, double expected, double tolerance) =>
        Check(name, answer, expected, new Within(tolerance));

    /// <summary>Compares every number of an answer with <paramref name="expected"/> within <paramref name="tolerance"/>.</summary>
    public static ExerciseResult Check(string name, Func<float[]> answer, float[] expected, float tolerance) =>
        Check(name, answer, expected, new AllWithin(tolerance));

    private static string Show<T>(T value) => value switch
    {
        null => "null",
        double d => d.ToString("G6", System.Globalization.CultureInfo.InvariantCulture),
        float[] a => a.Length <= 6
            ? $"[{string.Join(", ", a.Select(x => x.ToString("G5", System.Globalization.CultureInfo.InvariantCulture)))}]"
            : $"{a.Length} numbers starting [{string.Join(", ", a.Take(4).Select(x => x.ToString("G5", System.Globalization.CultureInfo.InvariantCulture)))}, …]",
        _ => value.ToString() ?? "",
    };

    private sealed class Within(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double value) => 0;
    }

    private sealed class AllWithin(float tolerance) : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? x, float[]? y) =>
            x is not null && y is not null && x.Length == y.Length && x.Zip(y).All(pair => Math.Abs(pair.First - pair.Second) <= tolerance);

        public int GetHashCode(float[] value) => 0;
    }
}
