using NotebookNet.Tensors;

namespace NotebookNet.Optimizers;

/// <summary>
/// Updates parameters from their gradients. An optimizer sees <see cref="Parameter"/>s, never layers. This base holds
/// what every optimizer shares — the parameters, the learning rate and zeroing the gradients — so a subclass writes only
/// its update, <see cref="Update"/>. Notebook 04 trains with <see cref="Sgd"/>. Introduced in notebook 06, which compares optimizers.
/// </summary>
public abstract class Optimizer
{
    private readonly List<(string Name, float[][] PerParameter)> _state = [];
    private float _learningRate;
    private float _scheduleFactor = 1f;

    /// <summary>Holds <paramref name="parameters"/> and the base learning rate.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is negative or not a number.</exception>
    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToList();
        LearningRate = learningRate;
    }

    /// <summary>The parameters this optimizer updates.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>η, the base step size: the one place a run's learning rate is set. A schedule multiplies it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    public float LearningRate
    {
        get => _learningRate;
        set => _learningRate = value >= 0f && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "the learning rate must be a finite number ≥ 0");
    }

    /// <summary>
    /// The factor a learning-rate schedule has set for the current epoch (1 without a schedule); the trainer sets it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value or NaN.</exception>
    public float ScheduleFactor
    {
        get => _scheduleFactor;
        set => _scheduleFactor = value >= 0f && float.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(ScheduleFactor), value, "the schedule's factor must be a finite number ≥ 0");
    }

    /// <summary>The step size in force: <see cref="LearningRate"/> × <see cref="ScheduleFactor"/>.</summary>
    public float CurrentLearningRate => LearningRate * ScheduleFactor;

    /// <summary>The steps taken so far (Adam's t): counted before each step's updates, so the first step is step 1.</summary>
    /// <remarks>Set only when resuming a run from a checkpoint, together with <see cref="State"/>.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public long Steps
    {
        get;
        set => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Steps), value, "a step count is ≥ 0");
    }

    /// <summary>
    /// The optimizer's own state, by name: one array per parameter for each kind of state the subclass keeps
    /// (<c>velocity.0</c>, <c>m.3</c>, …), the arrays themselves, so a checkpoint reads them and a resume copies into them.
    /// Plain SGD has none.
    /// </summary>
    public IReadOnlyDictionary<string, float[]> State =>
        _state.SelectMany(kind => kind.PerParameter.Select((values, index) => (Name: $"{kind.Name}.{index}", values)))
            .ToDictionary(entry => entry.Name, entry => entry.values);

    /// <summary>Sets every parameter's gradient to zero, before the next backward pass adds into them.</summary>
    public void ZeroGradients()
    {
        foreach (Parameter parameter in Parameters)
        {
            parameter.ZeroGradient();
        }
    }

    /// <summary>
    /// One update of every parameter from its current gradient, with step size <see cref="CurrentLearningRate"/>. Each
    /// gradient is then spent (<see cref="Parameter.MarkGradientSpent"/>): the next backward pass starts it afresh, so a
    /// training loop need not zero the gradients between steps.
    /// </summary>
    public void Step()
    {
        Steps++;
        BeginStep();
        float learningRate = CurrentLearningRate;
        for (int i = 0; i < Parameters.Count; i++)
        {
            Parameter parameter = Parameters[i];
            float[] theta = parameter.Value.Data;
            int index = i;
            // A large parameter in parts on the threads (each value's update is its own, so the bits are the same):
            // Rashid's network, a batch of one, spent 39 % of its step here on one core (thread-time profile).
            if (UpdatesFromOuterProducts && parameter.TryGetOuterProduct(out _, out _))
            {
                EachPart.Run(theta.Length, (offset, length) =>
                {
                    // Spans cannot be captured: each part asks the parameter for the two vectors.
                    parameter.TryGetOuterProduct(out ReadOnlySpan<float> left, out ReadOnlySpan<float> right);
                    UpdateFromOuterProduct(index, offset, theta.AsSpan(offset, length), left, right, learningRate);
                });
            }
            else
            {
                float[] gradient = parameter.Gradient.Data;
                EachPart.Run(theta.Length, (offset, length) =>
                    Update(index, offset, theta.AsSpan(offset, length), gradient.AsSpan(offset, length), learningRate));
            }
            parameter.MarkGradientSpent();
        }
    }

    /// <summary>
    /// Whether this optimizer updates a parameter straight from a gradient held as an outer product
    /// (<see cref="Parameter.SetOuterProduct"/>), with <see cref="UpdateFromOuterProduct"/>; when false (the default) the
    /// gradient is written out first and <see cref="Update"/> reads it.
    /// </summary>
    public virtual bool UpdatesFromOuterProducts => false;

    /// <summary>
    /// <see cref="Update"/> for a gradient held as the outer product left ⊗ right: value i of the parameter (row-major)
    /// has the gradient left[i / right.Length]·right[i mod right.Length], rounded. Called only when
    /// <see cref="UpdatesFromOuterProducts"/> is true; it must give the bits <see cref="Update"/> gives from the written gradient.
    /// </summary>
    /// <exception cref="NotSupportedException">The optimizer does not override it.</exception>
    protected virtual void UpdateFromOuterProduct(int index, int offset, Span<float> theta, ReadOnlySpan<float> left, ReadOnlySpan<float> right, float learningRate) =>
        throw new NotSupportedException($"{GetType().Name} does not update from outer products");

    /// <summary>
    /// Updates values <paramref name="offset"/> … <paramref name="offset"/> + <paramref name="theta"/>.Length − 1 of
    /// parameter <paramref name="index"/> from their gradient; per-parameter state such as a velocity is the subclass's,
    /// found by <paramref name="index"/> and sliced the same way. A large parameter's parts may be updated at once on
    /// several threads, so an update touches only its own part.
    /// </summary>
    /// <param name="index">The parameter's position in <see cref="Parameters"/>.</param>
    /// <param name="offset">Where the part starts in the parameter's values (0 for the whole parameter).</param>
    /// <param name="theta">The part's values, updated in place.</param>
    /// <param name="gradient">∂L/∂θ for the part; the update may use it as scratch (the next backward pass starts from zero).</param>
    /// <param name="learningRate">The step size in force.</param>
    protected abstract void Update(int index, int offset, Span<float> theta, Span<float> gradient, float learningRate);

    /// <summary>Called once before the updates of each <see cref="Step"/>, after <see cref="Steps"/> has counted it (Adam's t).</summary>
    protected virtual void BeginStep()
    {
    }

    /// <summary>
    /// One array per parameter, of its size: per-parameter state such as a velocity, listed in <see cref="State"/> as
    /// <paramref name="name"/>.0, <paramref name="name"/>.1, ….
    /// </summary>
    protected float[][] StatePerParameter(string name)
    {
        float[][] perParameter = Parameters.Select(parameter => new float[parameter.Value.Length]).ToArray();
        _state.Add((name, perParameter));
        return perParameter;
    }
}
