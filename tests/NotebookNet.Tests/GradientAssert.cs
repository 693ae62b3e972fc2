using NotebookNet.Training;

namespace NotebookNet.Tests;

/// <summary>Asserts a gradient check passed, reporting the largest difference when it did not.</summary>
public static class GradientAssert
{
    public static void Passes(GradientCheckResult result, double tolerance = 2e-2)
    {
        Assert.True(result.Checked > 0, "the gradient check compared nothing");
        Assert.True(result.Passes(tolerance), $"gradient check failed: {result}");
    }
}
