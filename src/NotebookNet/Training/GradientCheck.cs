using NotebookNet.Layers;
using NotebookNet.Losses;
using NotebookNet.Tensors;

namespace NotebookNet.Training;

/// <summary>The outcome of a gradient check: the largest disagreement between backprop and finite differences.</summary>
/// <param name="MaxAbsoluteError">max |analytic − numeric| over the checked entries.</param>
/// <param name="MaxRelativeError">max |a − n| / max(|a| + |n|, 0.01) over the checked entries.</param>
/// <param name="Worst">Which entry disagreed most, e.g. <c>weight[3]</c> or <c>input[17]</c>.</param>
/// <param name="Analytic">The backprop value at the worst entry.</param>
/// <param name="Numeric">The finite-difference value at the worst entry.</param>
/// <param name="Checked">How many entries were compared.</param>
public sealed record GradientCheckResult(double MaxAbsoluteError, double MaxRelativeError, string Worst, double Analytic, double Numeric, int Checked)
{
    /// <summary>True when the relative error is within <paramref name="tolerance"/>.</summary>
    public bool Passes(double tolerance = 1e-2) => MaxRelativeError <= tolerance;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Checked} entries, max relative error {MaxRelativeError:G3} (absolute {MaxAbsoluteError:G3}) at {Worst}: backprop {Analytic:G6}, finite difference {Numeric:G6}";
}

/// <summary>
/// Checks backpropagation against central finite differences, ∂L/∂θ ≈ (L(θ + ε) − L(θ − ε)) / 2ε.
/// A wrong sign, a missing transpose or a forgotten derivative shows up as a large relative error.
/// Introduced in notebook 03.
/// </summary>
public static class GradientCheck
{
    // float32 losses resolve a finite difference only to about ulp(L)/ε ≈ 10⁻⁵: below this floor of |a| + |n|
    // the relative error is measured against the floor, i.e. tiny gradients are judged by absolute difference.
    private const double RelativeFloor = 1e-2;

    /// <summary>
    /// Checks a layer with the scalar L = Σ output ⊙ R for a fixed random R: backprop gives ∂L/∂input = Backward(R)
    /// and ∂L/∂θ in each parameter's gradient; each is compared with finite differences.
    /// </summary>
    /// <param name="layer">The layer; its parameter gradients are overwritten.</param>
    /// <param name="input">The input; entries are perturbed and restored.</param>
    /// <param name="seed">Seed of R and of the choice of entries.</param>
    /// <param name="epsilon">The finite-difference step.</param>
    /// <param name="maxEntriesPerTensor">At most this many entries of each tensor are checked (chosen at random).</param>
    public static GradientCheckResult CheckLayer(ILayer layer, Tensor input, int seed = 0, float epsilon = 1e-2f, int maxEntriesPerTensor = 200)
    {
        var rng = new Rng(seed);
        int[] outputShape = layer.OutputShape(input.Shape);
        Tensor weights = Tensor.RandomNormal(rng, 0f, 1f, outputShape);
        double Loss()
        {
            Tensor output = layer.Forward(input);
            double sum = 0;
            for (int i = 0; i < output.Length; i++)
            {
                sum += (double)output.Data[i] * weights.Data[i];
            }
            return sum;
        }

        foreach (Parameter parameter in layer.Parameters)
        {
            parameter.ZeroGradient();
        }
        layer.Forward(input);
        Tensor inputGradient;
        if (layer is Sequential model && !model.RequiresInputGradient)
        {
            model.RequiresInputGradient = true;
            inputGradient = model.Backward(weights);
            model.RequiresInputGradient = false;
        }
        else
        {
            inputGradient = layer.Backward(weights);
        }

        var tracker = new Tracker();
        tracker.Compare("input", input, inputGradient, Loss, epsilon, maxEntriesPerTensor, rng);
        foreach (Parameter parameter in layer.Parameters)
        {
            tracker.Compare(parameter.Name, parameter.Value, parameter.Gradient, Loss, epsilon, maxEntriesPerTensor, rng);
        }
        return tracker.Result();
    }

    /// <summary>Checks a loss: ∂L/∂output from Backward against finite differences of Forward.</summary>
    public static GradientCheckResult CheckLoss(ILoss loss, Tensor output, int[] labels, float epsilon = 1e-2f, int maxEntries = 200, int seed = 0)
    {
        loss.Forward(output, labels);
        Tensor gradient = loss.Backward();
        var tracker = new Tracker();
        tracker.Compare("output", output, gradient, () => loss.Forward(output, labels), epsilon, maxEntries, new Rng(seed));
        return tracker.Result();
    }

    /// <summary>Checks a whole model under a loss: every parameter's gradient from one backward pass.</summary>
    public static GradientCheckResult CheckModel(Sequential model, ILoss loss, Tensor input, int[] labels, float epsilon = 1e-2f, int maxEntriesPerTensor = 100, int seed = 0)
    {
        model.ZeroGradients();
        loss.Forward(model.Forward(input), labels);
        model.Backward(loss.Backward());
        var tracker = new Tracker();
        var rng = new Rng(seed);
        int index = 0;
        foreach (Parameter parameter in model.Parameters)
        {
            tracker.Compare($"{parameter.Name}#{index++}", parameter.Value, parameter.Gradient,
                () => loss.Forward(model.Forward(input), labels), epsilon, maxEntriesPerTensor, rng);
        }
        return tracker.Result();
    }

    /// <summary>
    /// Compares a hand-written gradient with finite differences of any scalar function of <paramref name="x"/>:
    /// the check notebook 03 runs on the backward pass it writes out.
    /// </summary>
    public static GradientCheckResult Compare(string name, Tensor x, Tensor analyticGradient, Func<double> function, float epsilon = 1e-2f, int maxEntries = 200, int seed = 0)
    {
        var tracker = new Tracker();
        tracker.Compare(name, x, analyticGradient, function, epsilon, maxEntries, new Rng(seed));
        return tracker.Result();
    }

    private sealed class Tracker
    {
        private GradientCheckResult _worst = new(0, 0, "nothing", 0, 0, 0);
        private int _checked;

        public void Compare(string name, Tensor x, Tensor analytic, Func<double> function, float epsilon, int maxEntries, Rng rng)
        {
            if (!x.SameShape(analytic))
            {
                throw new ArgumentException($"gradient check of {name}: value {x.ShapeText} and gradient {analytic.ShapeText} differ in shape");
            }
            // Copy first: the function runs forward passes, which some layers let overwrite cached gradients.
            float[] expected = (float[])analytic.Data.Clone();
            IEnumerable<int> entries = x.Length <= maxEntries
                ? Enumerable.Range(0, x.Length)
                : Enumerable.Range(0, maxEntries).Select(_ => rng.NextInt(x.Length));
            foreach (int i in entries)
            {
                float original = x.Data[i];
                x.Data[i] = original + epsilon;
                double plus = function();
                x.Data[i] = original - epsilon;
                double minus = function();
                x.Data[i] = original;
                double numeric = (plus - minus) / (2.0 * epsilon);
                double a = expected[i];
                double absolute = Math.Abs(a - numeric);
                double relative = absolute / Math.Max(Math.Abs(a) + Math.Abs(numeric), RelativeFloor);
                _checked++;
                if (relative > _worst.MaxRelativeError || _checked == 1)
                {
                    _worst = new GradientCheckResult(Math.Max(absolute, _worst.MaxAbsoluteError), relative, $"{name}[{i}]", a, numeric, 0);
                }
                else if (absolute > _worst.MaxAbsoluteError)
                {
                    _worst = _worst with { MaxAbsoluteError = absolute };
                }
            }
        }

        public GradientCheckResult Result() => _worst with { Checked = _checked };
    }
}
