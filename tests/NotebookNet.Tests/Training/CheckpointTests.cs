using NotebookNet.Activations;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Losses;
using NotebookNet.Optimizers;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Training;

public class CheckpointTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    // A run with every kind of state a checkpoint must carry: dropout's generator, the optimizer's moments, the
    // shuffling and the distortions, the averaged weights, a schedule, and the validation set's best epoch.
    private static Trainer NewTrainer(bool adam)
    {
        var rng = new Rng(11);
        var model = new Sequential(new Linear(784, 32, rng: rng), new ReLU(), new Dropout(0.2f, rng), new Linear(32, 10, rng: rng));
        Optimizer optimizer = adam ? new Adam(model.Parameters, learningRate: 2e-3f) : new Sgd(model.Parameters, learningRate: 0.05f, momentum: 0.9f);
        return new Trainer(model, new CrossEntropyLoss(), optimizer);
    }

    private static TrainingOptions Options(string checkpoint) => new()
    {
        Epochs = 3, BatchSize = 50, Seed = 4, ReportEvery = 1, Schedule = Schedule.Cosine(), WeightAveraging = 0.99f,
        Augmentation = new Augmentation(MaxShift: 1f, MaxRotationDegrees: 5f, MaxScale: 0.05f), EarlyStoppingPatience = 5,
        Checkpoint = new Checkpointing(checkpoint),
    };

    private (Dataset Train, Dataset Validation) Data() =>
        (mnist.Train.Subset(Enumerable.Range(0, 600)).ToDataset(), mnist.Train.Subset(Enumerable.Range(1_000, 200)).ToDataset());

    [Theory]
    [InlineData(true, 1)]    // after the first batch
    [InlineData(true, 12)]   // the first batch of epoch 2 (each epoch is 12 batches): stopped before its shuffle's first batch
    [InlineData(true, 17)]
    [InlineData(false, 24)]  // the start of the last epoch
    [InlineData(false, 30)]
    public void AStoppedRunResumedEndsWithTheUninterruptedRunsWeightsBitForBit(bool adam, int stopAfter)
    {
        using var folder = new TempFolder();
        (Dataset train, Dataset validation) = Data();
        TrainingOptions options = Options(folder.File("run.ckpt"));

        Trainer whole = NewTrainer(adam);
        TrainingHistory wholeHistory = whole.Fit(train, null, options, validation: validation);

        // Stop after `stopAfter` batches, as Ctrl+C does: the trainer writes a checkpoint and throws.
        Trainer stopped = NewTrainer(adam);
        using var stop = new CancellationTokenSource();
        int done = 0;
        var counter = new SynchronousProgress(_ =>
        {
            if (++done == stopAfter)
            {
                stop.Cancel();
            }
        });
        var cancelled = Assert.Throws<OperationCanceledException>(() => stopped.Fit(train, null, options, counter, stop.Token, validation));
        Assert.Contains("checkpoint saved to", cancelled.Message);
        TrainingCheckpoint checkpoint = TrainingCheckpoint.Load(options.Checkpoint!.Path);
        Assert.Equal((stopAfter / 12 + 1, stopAfter % 12), (checkpoint.Epoch, checkpoint.Batch));

        // A fresh model and optimizer, made as before, continue from the file.
        Trainer resumed = NewTrainer(adam);
        TrainingHistory resumedHistory = resumed.Fit(train, null, options, validation: validation, resume: checkpoint);

        Assert.Equal(whole.Model.State.Select(t => t.Name), resumed.Model.State.Select(t => t.Name));
        foreach (((string name, Tensor expected), (_, Tensor actual)) in whole.Model.State.Zip(resumed.Model.State))
        {
            Assert.True(expected.Data.AsSpan().SequenceEqual(actual.Data), $"{name} differs after resuming at batch {stopAfter}");
        }
        Assert.Equal(wholeHistory.Select(e => (e.Loss, e.TrainAccuracy, e.ValidationAccuracy, e.LearningRate)),
            resumedHistory.Select(e => (e.Loss, e.TrainAccuracy, e.ValidationAccuracy, e.LearningRate)));
        Assert.Equal(whole.Optimizer.Steps, resumed.Optimizer.Steps);
    }

    [Fact]
    public void ACheckpointIsWrittenEveryNBatchesAtomicallyWithThePreviousKept()
    {
        using var folder = new TempFolder();
        (Dataset train, _) = Data();
        string path = folder.File("run.ckpt");
        TrainingOptions options = Options(path) with { EarlyStoppingPatience = null, Checkpoint = new Checkpointing(path) { EveryBatches = 5 } };
        var positions = new List<(int, int)>();
        var watch = new SynchronousProgress(p =>
        {
            if (File.Exists(path))
            {
                TrainingCheckpoint latest = TrainingCheckpoint.Load(path);
                positions.Add((latest.Epoch, latest.Batch));
            }
        });
        NewTrainer(adam: true).Fit(train, null, options, watch);
        // 36 batches in all, a checkpoint after batches 5, 10, …, 35: the last is at epoch 3, batch 11.
        Assert.Equal((3, 11), positions[^1]);
        Assert.Equal(7, positions.Distinct().Count());
        Assert.Equal((3, 6), (TrainingCheckpoint.Load(TrainingCheckpoint.PreviousPath(path)).Epoch, TrainingCheckpoint.Load(TrainingCheckpoint.PreviousPath(path)).Batch));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }

    [Fact]
    public void ADamagedCheckpointIsRefusedByNameAndPointsToThePreviousOne()
    {
        using var folder = new TempFolder();
        (Dataset train, _) = Data();
        string path = folder.File("run.ckpt");
        TrainingOptions options = Options(path) with { EarlyStoppingPatience = null, Epochs = 1, Checkpoint = new Checkpointing(path) { EveryBatches = 4 } };
        NewTrainer(adam: true).Fit(train, null, options);
        byte[] whole = File.ReadAllBytes(path);

        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        var truncated = Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path));
        Assert.Contains("run.ckpt: truncated", truncated.Message);
        Assert.Contains($"resume from {TrainingCheckpoint.PreviousPath(path)}", truncated.Message);

        byte[] flipped = whole.ToArray();
        flipped[flipped.Length / 3] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        Assert.Contains("checksum mismatch", Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(path)).Message);

        Assert.Contains("not a NotebookNet training checkpoint",
            Assert.Throws<InvalidDataException>(() => TrainingCheckpoint.Load(new MemoryStream("NNWT and more"u8.ToArray()), "model.nnw")).Message);
        // The one before is whole, and a run resumes from it.
        TrainingCheckpoint previous = TrainingCheckpoint.Load(TrainingCheckpoint.PreviousPath(path));
        Assert.Equal((1, 8), (previous.Epoch, previous.Batch));
        NewTrainer(adam: true).Fit(train, null, options, resume: previous);
    }

    [Fact]
    public void ACheckpointOfAnotherRunIsRefusedWithTheDifferenceNamed()
    {
        using var folder = new TempFolder();
        (Dataset train, _) = Data();
        string path = folder.File("run.ckpt");
        TrainingOptions options = Options(path) with { EarlyStoppingPatience = null, Epochs = 1, Checkpoint = new Checkpointing(path) { EveryBatches = 6 } };
        NewTrainer(adam: true).Fit(train, null, options);
        TrainingCheckpoint checkpoint = TrainingCheckpoint.Load(path);

        Assert.Contains("it has 1 epochs, this run 2",
            Assert.Throws<InvalidDataException>(() => NewTrainer(adam: true).Fit(train, null, options with { Epochs = 2 }, resume: checkpoint)).Message);
        Assert.Contains("seed 4, this run seed 5",
            Assert.Throws<InvalidDataException>(() => NewTrainer(adam: true).Fit(train, null, options with { Seed = 5 }, resume: checkpoint)).Message);
        Assert.Contains("600 training examples, this run 500",
            Assert.Throws<InvalidDataException>(() => NewTrainer(adam: true).Fit(train.Take(500), null, options, resume: checkpoint)).Message);
        Assert.Contains("optimizer.m.0",
            Assert.Throws<InvalidDataException>(() => NewTrainer(adam: false).Fit(train, null, options, resume: checkpoint)).Message);
    }

    [Fact]
    public void AStreamThatFailsPartwayLeavesThePreviousFileWhole()
    {
        // Running out of disk while saving: the write fails partway, and the file that was there is untouched.
        using var folder = new TempFolder();
        string path = folder.File("model.nnw");
        Trainer trainer = NewTrainer(adam: false);
        NotebookNet.Serialization.ModelFile.Save(trainer.Model, path);
        byte[] before = File.ReadAllBytes(path);
        trainer.Model.Parameters[0].Value.Data[0] += 1f;
        var full = Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
            NotebookNet.Serialization.ModelFile.Save(trainer.Model, new DiskFullStream(stream, bytesLeft: 10_000))));
        Assert.Contains("No space left on device", full.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>A stream that takes <c>bytesLeft</c> bytes and then fails as a full disk does.</summary>
    private sealed class DiskFullStream(Stream inner, long bytesLeft) : Stream
    {
        private long _left = bytesLeft;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            int taken = (int)Math.Min(_left, buffer.Length);
            inner.Write(buffer[..taken]);
            _left -= taken;
            if (taken < buffer.Length)
            {
                throw new IOException("No space left on device");
            }
        }
    }
}
