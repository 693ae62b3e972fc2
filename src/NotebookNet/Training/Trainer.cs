using System.Diagnostics;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Losses;
using NotebookNet.Optimizers;
using NotebookNet.Tensors;

namespace NotebookNet.Training;

/// <summary>How a <see cref="Trainer"/> runs: epochs, batch size, the shuffling seed, a learning-rate schedule.
/// The learning rate itself is the optimizer's.</summary>
public sealed record TrainingOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Examples per step; 1 is per-sample SGD.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The seed of the shuffling; the same seed gives the same order every run.</summary>
    public int Seed { get; init; }

    /// <summary>Shuffle the training set every epoch (default true).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>The factor the optimizer's learning rate is multiplied by in each epoch, sized from <see cref="Epochs"/>;
    /// null keeps the optimizer's rate throughout.</summary>
    public Schedule? Schedule { get; init; }

    /// <summary>Random distortions applied to each training batch (seeded from <see cref="Seed"/>); null for none.</summary>
    public Augmentation? Augmentation { get; init; }

    /// <summary>Batches between progress reports.</summary>
    public int ReportEvery { get; init; } = 50;

    /// <summary>
    /// When set, the decay of a <see cref="WeightAverage"/> updated after every step: test accuracy is measured with the
    /// averaged weights (the trained ones are reported beside it) and the model ends training holding them.
    /// </summary>
    public float? WeightAveraging { get; init; }

    /// <summary>
    /// When set, and a validation set is given, training stops once validation accuracy has not improved for this many
    /// epochs, and the model ends holding the weights of its best validation epoch (<see cref="TrainingHistory.BestEpoch"/>).
    /// </summary>
    public int? EarlyStoppingPatience { get; init; }
}

/// <summary>A moment of training, reported to a progress bar (terminal or notebook).</summary>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, float Loss, float Accuracy, TimeSpan Elapsed)
{
    /// <summary>The fraction of all training done, 0..1.</summary>
    public double Fraction => ((Epoch - 1) + (double)Batch / Batches) / Epochs;
}

/// <summary>Thrown when the loss stops being a finite number; the model keeps the weights of the last good step.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>
/// The training loop: for each epoch, for each shuffled mini-batch, forward, loss, backward, step.
/// Notebook 04 writes this loop out before using it.
/// </summary>
public sealed class Trainer(Sequential model, ILoss loss, Optimizer optimizer)
{
    /// <summary>The model being trained.</summary>
    public Sequential Model { get; } = model;

    /// <summary>The loss minimised.</summary>
    public ILoss Loss { get; } = loss;

    /// <summary>The optimizer that steps.</summary>
    public Optimizer Optimizer { get; } = optimizer;

    /// <summary>
    /// Trains for <see cref="TrainingOptions.Epochs"/> epochs and returns the history: loss and training accuracy of each
    /// epoch (running figures, measured on each batch as it was trained, while the weights were still changing), then
    /// accuracy on the <paramref name="validation"/> set and on the <paramref name="test"/> set after it, for those given.
    /// Choices — a learning rate, an epoch, when to stop — belong to the validation set; the test set is measured only.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled; the model keeps its last step.</exception>
    /// <exception cref="ArgumentException">Early stopping was asked for without a validation set.</exception>
    public TrainingHistory Fit(Dataset train, Dataset? test, TrainingOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default, Dataset? validation = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ReportEvery);
        if (options.EarlyStoppingPatience is int patience && (patience <= 0 || validation is null))
        {
            throw new ArgumentException(validation is null
                ? "early stopping needs a validation set to watch"
                : $"early stopping patience must be at least 1 epoch, got {patience}", nameof(options));
        }
        var history = new TrainingHistory();
        var shuffle = new Rng(options.Seed);
        var distortions = new Rng(unchecked(options.Seed * 31 + 17));
        int batches = (train.Count + options.BatchSize - 1) / options.BatchSize;
        int[] order = Enumerable.Range(0, train.Count).ToArray();
        var clock = Stopwatch.StartNew();
        WeightAverage? average = options.WeightAveraging is float decay ? new WeightAverage(Model.Parameters, decay) : null;
        float[][]? best = null;
        for (int epoch = 1; epoch <= options.Epochs; epoch++)
        {
            Optimizer.ScheduleFactor = options.Schedule?.Factor(epoch - 1, options.Epochs) ?? 1f;
            if (options.Shuffle)
            {
                shuffle.Shuffle(order.AsSpan());
            }
            Model.IsTraining = true;
            var epochClock = Stopwatch.StartNew();
            (double lossSum, long correct) = TrainEpoch(train, order, options, epoch, batches, distortions, average, clock, progress, cancellation);
            double seconds = epochClock.Elapsed.TotalSeconds;
            float? trainedAccuracy = null;
            if (average is not null && test is not null)
            {
                trainedAccuracy = Evaluation.Accuracy(Model, test);
            }
            average?.Apply();
            float? validationAccuracy = validation is null ? null : Evaluation.Accuracy(Model, validation);
            float? testAccuracy = test is null ? null : Evaluation.Accuracy(Model, test);
            history.Add(new EpochResult(epoch, (float)(lossSum / train.Count), (float)correct / train.Count, testAccuracy,
                seconds, Optimizer.CurrentLearningRate, trainedAccuracy) { ValidationAccuracy = validationAccuracy });
            if (options.EarlyStoppingPatience is int wait && validation is not null)
            {
                if (history.BestEpoch == epoch)
                {
                    best = Model.State.Select(entry => entry.Value.Data.ToArray()).ToArray();
                }
                else if (epoch - history.BestEpoch >= wait)
                {
                    average?.Restore();
                    history.StoppedEarly = true;
                    break;
                }
            }
            average?.Restore();
        }
        average?.Apply();
        if (best is not null && history[^1].Epoch != history.BestEpoch)
        {
            foreach (((string _, Tensor tensor), float[] values) in Model.State.Zip(best))
            {
                values.CopyTo(tensor.Data, 0);
            }
        }
        Model.IsTraining = false;
        return history;
    }

    private (double LossSum, long Correct) TrainEpoch(Dataset train, int[] order, TrainingOptions options, int epoch, int batches,
        Rng distortions, WeightAverage? average, Stopwatch clock, IProgress<TrainingProgress>? progress, CancellationToken cancellation)
    {
        double lossSum = 0;
        long correct = 0;
        using TensorScope scope = TensorScope.Begin();
        for (int batch = 0; batch < batches; batch++)
        {
            cancellation.ThrowIfCancellationRequested();
            scope.Reset();
            int start = batch * options.BatchSize;
            int size = Math.Min(options.BatchSize, train.Count - start);
            var images = new Tensor([size, .. train.ExampleShape]);
            var labels = new int[size];
            train.Gather(order.AsSpan(start, size), images, labels);
            options.Augmentation?.Apply(images, distortions);

            float batchLoss = TrainStep(images, labels, out int batchCorrect);
            if (!float.IsFinite(batchLoss))
            {
                bool finite = Model.Parameters.All(p => AllFinite(p.Value.Data));
                bool finiteInput = AllFinite(images.Data);
                throw new TrainingDivergedException(
                    $"the loss became {batchLoss} at epoch {epoch}, batch {batch + 1} of {batches} (learning rate {Optimizer.CurrentLearningRate}). " +
                    (!finiteInput ? "The batch's images hold NaN or infinite values: check the data. " : "") +
                    (finite
                        ? "The step was not taken: the model keeps the weights of the last good step. "
                        : "The weights overflowed in an earlier step and are no longer finite. ") +
                    "Try a smaller learning rate.");
            }
            average?.Update();
            lossSum += (double)batchLoss * size;
            correct += batchCorrect;
            if (progress is not null && ((batch + 1) % options.ReportEvery == 0 || batch + 1 == batches))
            {
                int seen = Math.Min(train.Count, (batch + 1) * options.BatchSize);
                progress.Report(new TrainingProgress(epoch, options.Epochs, batch + 1, batches,
                    (float)(lossSum / seen), (float)correct / seen, clock.Elapsed));
            }
        }
        return (lossSum, correct);
    }

    private static bool AllFinite(float[] values) => Array.TrueForAll(values, float.IsFinite);

    /// <summary>
    /// One step on one batch: forward, loss, backward, optimizer step. Returns the loss; a non-finite loss is returned
    /// before the backward pass, so the weights stay as they were. The gradients need no zeroing here: each step leaves
    /// them spent, and the next backward pass starts them afresh (<see cref="Parameter.MarkGradientSpent"/>); before
    /// the first step they are zero.
    /// </summary>
    public float TrainStep(Tensor images, int[] labels, out int correct)
    {
        Tensor output = Model.Forward(images);
        float batchLoss = Loss.Forward(output, labels);
        correct = 0;
        int[] predicted = output.ArgMaxRows();
        for (int i = 0; i < labels.Length; i++)
        {
            correct += predicted[i] == labels[i] ? 1 : 0;
        }
        if (!float.IsFinite(batchLoss))
        {
            return batchLoss;
        }
        Model.Backward(Loss.Backward());
        Optimizer.Step();
        return batchLoss;
    }
}
