using NotebookNet.Data;

namespace NotebookNet.Serialization;

/// <summary>
/// What a saved model expects of its input and what its outputs mean: how pixels were scaled, the shape of one input,
/// the name of each class, and the data set it was trained on. Saved with the model, so whoever loads it feeds it the
/// same way it was trained.
/// </summary>
/// <param name="Scaling">How pixel bytes become the numbers the model takes.</param>
/// <param name="Shape">One input's shape without the batch dimension: (784) for an MLP, (1, 28, 28) for a CNN.</param>
/// <param name="ClassNames">The name of each output, in order.</param>
/// <param name="Dataset">The data set trained on, e.g. <c>MNIST</c>.</param>
public sealed record ModelInput(PixelScaling Scaling, IReadOnlyList<int> Shape, IReadOnlyList<string> ClassNames, string Dataset)
{
    /// <summary>The ten digit classes "0" … "9".</summary>
    public static IReadOnlyList<string> Digits { get; } = Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>An MNIST model's input: 28×28 digits scaled by <paramref name="scaling"/>, seen in <paramref name="shape"/>.</summary>
    public static ModelInput Mnist(PixelScaling scaling, IReadOnlyList<int> shape) => For(ImageSet.Mnist, scaling, shape);

    /// <summary>The input of a model trained on <paramref name="set"/>: its class names and name, scaled by <paramref name="scaling"/>, seen in <paramref name="shape"/>.</summary>
    public static ModelInput For(ImageSet set, PixelScaling scaling, IReadOnlyList<int> shape) => new(scaling, shape.ToArray(), set.ClassNames, set.Name);

    /// <summary>The number of values in one input.</summary>
    public int Length => Shape.Aggregate(1, (product, size) => product * size);

    /// <summary>True when both describe the same input.</summary>
    public bool Matches(ModelInput other) =>
        Scaling == other.Scaling && Shape.SequenceEqual(other.Shape) && ClassNames.SequenceEqual(other.ClassNames) && Dataset == other.Dataset;
}
