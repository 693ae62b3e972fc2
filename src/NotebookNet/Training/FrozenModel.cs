using NotebookNet.Activations;
using NotebookNet.Layers;
using NotebookNet.Serialization;
using NotebookNet.Tensors;

namespace NotebookNet.Training;

/// <summary>
/// A copy of a trained network laid out for answering one example at a time: the scores it gives are those the network
/// gives that example in a batch, to the last bit wherever the processor has fused multiply-adds (a batch of one through
/// <see cref="Sequential.Forward"/> sums in another order), and faster: <c>bench</c>'s W4b, the W1 model classifying
/// 10,000 digits one by one, ran at 363K–376K digits a second through <c>Forward</c> (the build before this class) and
/// 739K–806K through this (medians of three alternate pairs, AVX2, two cores, before a layer this small ran on one —
/// as fast, see <see cref="MatMul"/>'s OneRowSplit; one thread 301K against 812K; AVX-512 372K against 789K), on the Xeon
/// of README's speed table, 2026-11-30. Notebook 04 times both ways.
/// </summary>
/// <remarks>
/// <para>Why it is faster: a dense layer stores its weights W as (out, in), and a batch of one multiplies x by each row of
/// W, skipping only aligned runs of zeros — reading, for an MNIST digit, the runs of W that meet a nonzero pixel: 40 %
/// of a 784-128 layer's 401 KB with AVX2's runs of 8, 58 % with AVX-512's runs of 16, from the L2 cache every time.
/// Stored transposed, (in, out), a nonzero pixel's weights are one contiguous row, and a digit's 151 nonzero pixels on
/// average read 77 KB; its zeros read nothing (<see cref="MatMul.RowTimesMatrix"/>).</para>
/// <para>Per digit, nothing else is made: a ReLU works in place on the output of the step before it, and
/// <see cref="Classify"/> reads the scores where the last step left them. Through a copied ReLU's <c>Forward</c>, with a
/// new array of scores per digit, and before a one-row product's last columns ran as vectors, W4b ran at 635K–650K
/// digits a second against 779K–796K after (AVX2, alternate runs, two cores).</para>
/// <para>It is a copy: training or changing the model afterwards does not reach it — make a new one. Other layers than
/// <see cref="Linear"/> and <see cref="ReLU"/> run as copies of themselves in evaluation mode. Not thread-safe: call
/// it from one thread at a time.</para>
/// </remarks>
public sealed class FrozenModel
{
    private readonly Func<Tensor, Tensor>[] _steps;
    private readonly DenseStep? _firstDense;
    private readonly int[] _inputShape;
    private readonly Tensor _input;
    private WeakReference<TensorScope>? _buffers;

    /// <summary>Copies <paramref name="model"/> for examples of <paramref name="exampleShape"/>, such as 784 or (1, 28, 28).</summary>
    /// <exception cref="ArgumentException">The model cannot take examples of that shape, or holds a layer of a type not
    /// registered in <see cref="LayerRegistry"/>.</exception>
    public FrozenModel(Sequential model, params int[] exampleShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exampleShape);
        _inputShape = [1, .. exampleShape];
        int[] output = model.OutputShape(_inputShape);   // throws, naming the layer, if the shape does not fit
        ExampleLength = Tensor.CheckedLength(exampleShape);
        OutputLength = Tensor.CheckedLength(output[1..]);
        _input = new Tensor(_inputShape);
        // A first dense layer reads the example where it lies: copying it first took 17 % of W4b's time in a profile (perf,
        // AVX2), the copy being where the digit first comes from memory; read in place, each of the product's threads
        // fetches its own part.
        _firstDense = model.Layers.Count > 0 && model.Layers[0] is Linear first ? Dense(first) : null;
        _steps = model.Layers.Skip(_firstDense is null ? 0 : 1).Select(Freeze).ToArray();
    }

    /// <summary>A dense layer's forward pass on one example, read in place.</summary>
    private delegate Tensor DenseStep(ReadOnlySpan<float> input);

    /// <summary>Values in one example.</summary>
    public int ExampleLength { get; }

    /// <summary>Values in one example's output: the scores of its classes.</summary>
    public int OutputLength { get; }

    /// <summary>The network's output for one example: a copy of its scores (for a classifier, the logits).</summary>
    /// <exception cref="ArgumentException">The example does not hold <see cref="ExampleLength"/> values.</exception>
    public float[] Scores(ReadOnlySpan<float> example) => Run(example).ToArray();

    /// <summary>The class with the largest score for one example (the first of equal ones).</summary>
    /// <exception cref="ArgumentException">The example does not hold <see cref="ExampleLength"/> values.</exception>
    public int Classify(ReadOnlySpan<float> example) => TensorPrimitives.IndexOfMax<float>(Run(example));

    /// <summary>The scores for one example, where the last step left them: valid until the next call.</summary>
    private ReadOnlySpan<float> Run(ReadOnlySpan<float> example)
    {
        if (example.Length != ExampleLength)
        {
            throw new ArgumentException(
                $"the model takes examples of shape {Tensor.FormatShape(_inputShape.AsSpan(1))} ({ExampleLength} values); this one has {example.Length}",
                nameof(example));
        }
        // The layers' large tensors (a convolution's maps) come from buffers kept between calls.
        using TensorScope scope = TensorScope.Reopen(ref _buffers);
        Tensor x = _input;
        if (_firstDense is not null)
        {
            x = _firstDense(example);
        }
        else
        {
            example.CopyTo(_input.Data);
        }
        foreach (Func<Tensor, Tensor> step in _steps)
        {
            x = step(x);
        }
        return x.Data;
    }

    /// <summary>
    /// y = x·Wᵀ + b with Wᵀ stored: summed as <see cref="Linear.Forward"/>'s product sums it (the bias first, then each
    /// depth block added), from rows of Wᵀ.
    /// </summary>
    private static DenseStep Dense(Linear linear)
    {
        float[] transposed = linear.Weight.Value.Transpose().Data;
        float[]? bias = linear.Bias?.Value.Data.ToArray();
        int outputs = linear.OutFeatures, inputs = linear.InFeatures;
        var output = new Tensor(1, outputs);   // written anew by every call: one thread at a time
        return input =>
        {
            if (bias is not null)
            {
                bias.CopyTo(output.Data, 0);
            }
            MatMul.RowTimesMatrix(input, transposed, output.Data, outputs, inputs, beta: bias is null ? 0f : 1f);
            return output;
        };
    }

    /// <summary>One layer's forward pass on a batch of one, on a copy of its state.</summary>
    private static Func<Tensor, Tensor> Freeze(ILayer layer)
    {
        switch (layer)
        {
            case Linear linear:
            {
                DenseStep dense = Dense(linear);
                return input => dense(input.Data);
            }
            case ReLU:
                // In place: every step's output is its own, rewritten by the next call (the same max as ReLU.Forward's).
                return input =>
                {
                    TensorPrimitives.Max(input.Data, 0f, input.Data);
                    return input;
                };
            case Sequential inner:
            {
                Func<Tensor, Tensor>[] steps = inner.Layers.Select(Freeze).ToArray();
                return input => steps.Aggregate(input, (x, step) => step(x));
            }
            default:
            {
                ILayer copy;
                try
                {
                    copy = LayerRegistry.Create(layer.Spec);
                }
                catch (InvalidDataException error)
                {
                    throw new ArgumentException($"{layer.Spec} cannot be copied: {error.Message} (LayerRegistry.Register makes a layer type known)", error);
                }
                foreach ((NamedTensor from, NamedTensor to) in layer.State().Zip(copy.State()))
                {
                    from.Value.Data.CopyTo(to.Value.Data, 0);
                }
                copy.IsTraining = false;
                return copy.Forward;
            }
        }
    }
}
