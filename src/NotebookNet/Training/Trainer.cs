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

    /// <summary>When set, where and how often the run writes checkpoints to resume from; null for none.</summary>
    public Checkpointing? Checkpoint { get; init; }
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
    /// With <paramref name="resume"/>, the run continues from that checkpoint of the same run (model and optimizer made
    /// as before, the same options and data) and ends with the weights the uninterrupted run would have, bit for bit.
    /// </summary>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled; the model keeps its last
    /// step, and with <see cref="TrainingOptions.Checkpoint"/> set a checkpoint of that step is written first.</exception>
    /// <exception cref="ArgumentException">Early stopping was asked for without a validation set.</exception>
    /// <exception cref="InvalidDataException"><paramref name="resume"/> was written by another kind of run.</exception>
    public TrainingHistory Fit(Dataset train, Dataset? test, TrainingOptions options,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default, Dataset? validation = null,
        TrainingCheckpoint? resume = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ReportEvery);
        if (options.Checkpoint?.EveryBatches is int every)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every, "options.Checkpoint.EveryBatches");
        }
        if (options.EarlyStoppingPatience is int patience && (patience <= 0 || validation is null))
        {
            throw new ArgumentException(validation is null
                ? "early stopping needs a validation set to watch"
                : $"early stopping patience must be at least 1 epoch, got {patience}", nameof(options));
        }
        var run = new Run(train.Count, options)
        {
            Average = options.WeightAveraging is float decay ? new WeightAverage(Model.Parameters, decay) : null,
        };
        resume?.RestoreInto(this, run, options);
        // One scope for the whole run: every epoch's batches reuse the first epoch's buffers.
        using TensorScope scope = TensorScope.Begin();
        for (; run.Epoch <= options.Epochs; run.Epoch++)
        {
            Optimizer.ScheduleFactor = options.Schedule?.Factor(run.Epoch - 1, options.Epochs) ?? 1f;
            if (!run.InEpoch)
            {
                if (options.Shuffle)
                {
                    run.Shuffling.Shuffle(run.Order.AsSpan());
                }
                (run.InEpoch, run.Batch, run.LossSum, run.Correct, run.EpochSeconds) = (true, 0, 0, 0, 0);
            }
            Model.IsTraining = true;
            TrainEpoch(scope, train, options, run, progress, cancellation);
            run.InEpoch = false;
            float? trainedAccuracy = null;
            if (run.Average is not null && test is not null)
            {
                trainedAccuracy = Evaluation.Accuracy(Model, test);
            }
            run.Average?.Apply();
            float? validationAccuracy = validation is null ? null : Evaluation.Accuracy(Model, validation);
            float? testAccuracy = test is null ? null : Evaluation.Accuracy(Model, test);
            run.History.Add(new EpochResult(run.Epoch, (float)(run.LossSum / train.Count), (float)run.Correct / train.Count, testAccuracy,
                run.EpochSeconds, Optimizer.CurrentLearningRate, trainedAccuracy) { ValidationAccuracy = validationAccuracy });
            if (options.EarlyStoppingPatience is int wait && validation is not null)
            {
                if (run.History.BestEpoch == run.Epoch)
                {
                    run.Best = Model.State.Select(entry => entry.Value.Data.ToArray()).ToArray();
                }
                else if (run.Epoch - run.History.BestEpoch >= wait)
                {
                    run.Average?.Restore();
                    run.History.StoppedEarly = true;
                    break;
                }
            }
            run.Average?.Restore();
        }
        run.Average?.Apply();
        if (run.Best is not null && run.History[^1].Epoch != run.History.BestEpoch)
        {
            foreach (((string _, Tensor tensor), float[] values) in Model.State.Zip(run.Best))
            {
                values.CopyTo(tensor.Data, 0);
            }
        }
        Model.IsTraining = false;
        Model.ReleaseBatch();
        return run.History;
    }

    /// <summary>
    /// Where a run stands: the epoch and the batches done of it, the epoch's order and running figures, the generators,
    /// the averaged and best weights, the history. A <see cref="TrainingCheckpoint"/> is this, with the model and optimizer.
    /// </summary>
    internal sealed class Run(int count, TrainingOptions options)
    {
        public int Epoch { get; set; } = 1;
        public int Batch { get; set; }
        public bool InEpoch { get; set; }
        public int Batches { get; } = (count + options.BatchSize - 1) / options.BatchSize;
        public int[] Order { get; } = Enumerable.Range(0, count).ToArray();
        public double LossSum { get; set; }
        public long Correct { get; set; }
        public double EpochSeconds { get; set; }
        public Rng Shuffling { get; } = new(options.Seed);
        public Rng Distortions { get; } = new(unchecked(options.Seed * 31 + 17));
        public WeightAverage? Average { get; init; }
        public float[][]? Best { get; set; }
        public TrainingHistory History { get; } = [];
        public Stopwatch Clock { get; } = Stopwatch.StartNew();
    }

    private void TrainEpoch(TensorScope scope, Dataset train, TrainingOptions options, Run run, IProgress<TrainingProgress>? progress,
        CancellationToken cancellation)
    {
        double secondsBefore = run.EpochSeconds;
        var epochClock = Stopwatch.StartNew();
        for (int batch = run.Batch; batch < run.Batches; batch++)
        {
            if (cancellation.IsCancellationRequested)
            {
                run.EpochSeconds = secondsBefore + epochClock.Elapsed.TotalSeconds;
                string saved = options.Checkpoint is Checkpointing stop ? $"; checkpoint saved to {SaveCheckpoint(run, options, stop)}" : "";
                throw new OperationCanceledException($"training stopped at epoch {run.Epoch} of {options.Epochs}, batch {batch} of {run.Batches}{saved}", cancellation);
            }
            scope.Reset();
            int start = batch * options.BatchSize;
            int size = Math.Min(options.BatchSize, train.Count - start);
            var images = new Tensor([size, .. train.ExampleShape]);
            var labels = new int[size];
            train.Gather(run.Order.AsSpan(start, size), images, labels);
            options.Augmentation?.Apply(images, run.Distortions);

            float batchLoss = TrainStep(images, labels, out int batchCorrect);
            if (!float.IsFinite(batchLoss))
            {
                bool finite = Model.Parameters.All(p => AllFinite(p.Value.Data));
                bool finiteInput = AllFinite(images.Data);
                throw new TrainingDivergedException(
                    $"the loss became {batchLoss} at epoch {run.Epoch}, batch {batch + 1} of {run.Batches} (learning rate {Optimizer.CurrentLearningRate}). " +
                    (!finiteInput ? "The batch's images hold NaN or infinite values: check the data. " : "") +
                    (finite
                        ? "The step was not taken: the model keeps the weights of the last good step. "
                        : "The weights overflowed in an earlier step and are no longer finite. ") +
                    "Try a smaller learning rate.");
            }
            run.Average?.Update();
            run.LossSum += (double)batchLoss * size;
            run.Correct += batchCorrect;
            run.Batch = batch + 1;
            run.EpochSeconds = secondsBefore + epochClock.Elapsed.TotalSeconds;
            if (progress is not null && (run.Batch % options.ReportEvery == 0 || run.Batch == run.Batches))
            {
                int seen = Math.Min(train.Count, run.Batch * options.BatchSize);
                progress.Report(new TrainingProgress(run.Epoch, options.Epochs, run.Batch, run.Batches,
                    (float)(run.LossSum / seen), (float)run.Correct / seen, run.Clock.Elapsed));
            }
            if (options.Checkpoint is { EveryBatches: int every } checkpointing && ((long)(run.Epoch - 1) * run.Batches + run.Batch) % every == 0)
            {
                SaveCheckpoint(run, options, checkpointing);
            }
        }
    }

    private string SaveCheckpoint(Run run, TrainingOptions options, Checkpointing checkpointing)
    {
        TrainingCheckpoint.Capture(this, run, options, checkpointing).Save(checkpointing.Path);
        return checkpointing.Path;
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
