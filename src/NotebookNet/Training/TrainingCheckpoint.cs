using System.Text;
using System.Text.Json;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Optimizers;
using NotebookNet.Serialization;
using NotebookNet.Tensors;

namespace NotebookNet.Training;

/// <summary>
/// Where a <see cref="Trainer"/> writes checkpoints while it trains: to <paramref name="Path"/>, every
/// <see cref="EveryBatches"/> batches and whenever training is cancelled (Ctrl+C), so a run killed at any moment resumes
/// from its last checkpoint with <c>Fit(…, resume: TrainingCheckpoint.Load(path))</c>.
/// </summary>
/// <param name="Path">The checkpoint file; the one before it is kept beside it as <c>Path.previous</c>.</param>
public sealed record Checkpointing(string Path)
{
    /// <summary>Batches between checkpoints; null writes one only when training is cancelled.</summary>
    public int? EveryBatches { get; init; }

    /// <summary>Free-form facts saved in the checkpoint, such as the recipe that a command line resumes.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A training run stopped between two batches, complete enough that resuming it ends with the very weights an
/// uninterrupted run with the same seed ends with, bit for bit: the model's state; the optimizer's state (momenta, Adam's
/// moments, its step count and learning rate); the random generators of the shuffling, the distortions and the layers
/// (dropout); the epoch, the batches done of it and its shuffled order; the running loss and accuracy of the epoch; the
/// averaged weights and the early-stopping best; and the history so far.
/// </summary>
/// <remarks>
/// The file (<c>.ckpt</c>) is framed as model files are — magic <c>"NNCK"</c>, version, payload length, payload, SHA-256 —
/// so a truncated or changed file is refused with a message that names it. The payload is a JSON description (positions,
/// counters, generators, history, metadata), then the epoch's order (count u32, i32 each), then named tensors (count u32;
/// per tensor: name as u16 length + UTF-8, value count u32, f32 values): <c>model.0.weight</c>, <c>optimizer.m.0</c>,
/// <c>average.0</c>, <c>best.0.weight</c>. Introduced in notebook 04.
/// </remarks>
public sealed class TrainingCheckpoint
{
    /// <summary>The checkpoint format version this library writes and reads.</summary>
    public const uint Version = 1;

    private static ReadOnlySpan<byte> Magic => "NNCK"u8;
    private const long MaxPayload = 1L << 30; // 1 GB: a quarter of a billion weights
    private const int MaxDescription = 1 << 26;

    private TrainingCheckpoint(Description description, int[] order, Dictionary<string, float[]> tensors)
    {
        Facts = description;
        Order = order;
        Tensors = tensors;
    }

    /// <summary>The epoch in progress (1-based).</summary>
    public int Epoch => Facts.Epoch;

    /// <summary>The batches of <see cref="Epoch"/> done.</summary>
    public int Batch => Facts.Batch;

    /// <summary>The batches in each epoch.</summary>
    public int Batches => Facts.Batches;

    /// <summary>The epochs the run was asked for.</summary>
    public int Epochs => Facts.Epochs;

    /// <summary>The seed of the run.</summary>
    public int Seed => Facts.Seed;

    /// <summary>The epochs finished before the checkpoint.</summary>
    public IReadOnlyList<EpochResult> History => Facts.History;

    /// <summary>What the run saved beside its state (<see cref="Checkpointing.Metadata"/>).</summary>
    public IReadOnlyDictionary<string, string> Metadata => Facts.Metadata;

    /// <summary>The share of the run done, 0..1.</summary>
    public double Fraction => ((Epoch - 1) + (double)Batch / Batches) / Epochs;

    internal Description Facts { get; }

    internal int[] Order { get; }

    internal Dictionary<string, float[]> Tensors { get; }

    /// <summary>Where the run stands, for messages: "epoch 2 of 5, batch 120 of 938".</summary>
    public override string ToString() => $"epoch {Epoch} of {Epochs}, batch {Batch} of {Batches}";

    /// <summary>Writes the checkpoint to <paramref name="stream"/>.</summary>
    public void Save(Stream stream)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            byte[] description = JsonSerializer.SerializeToUtf8Bytes(Facts);
            writer.Write((uint)description.Length);
            writer.Write(description);
            writer.Write((uint)Order.Length);
            foreach (int index in Order)
            {
                writer.Write(index);
            }
            writer.Write((uint)Tensors.Count);
            foreach ((string name, float[] values) in Tensors)
            {
                byte[] nameBytes = Encoding.UTF8.GetBytes(name);
                writer.Write(checked((ushort)nameBytes.Length));
                writer.Write(nameBytes);
                writer.Write((uint)values.Length);
                foreach (float value in values)
                {
                    writer.Write(value);
                }
            }
        }
        ChecksummedFile.Write(stream, Magic, Version, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>
    /// Writes the checkpoint to <paramref name="path"/> atomically (a temporary file beside it, flushed, then renamed
    /// over it), keeping the checkpoint it replaces as <c>path.previous</c>: a crash at any moment leaves a whole one.
    /// </summary>
    public void Save(string path) => AtomicFile.Write(path, Save, keepPreviousAs: PreviousPath(path));

    /// <summary>Where <see cref="Save(string)"/> keeps the checkpoint it replaces.</summary>
    public static string PreviousPath(string path) => path + ".previous";

    /// <summary>Reads a checkpoint from <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, of another version, or not a checkpoint; the message
    /// says whether the previous checkpoint is there to resume from instead.</exception>
    public static TrainingCheckpoint Load(string path)
    {
        string previous = PreviousPath(path);
        string fallback = File.Exists(previous) ? $"; the checkpoint before it is intact: resume from {previous}" : "";
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such checkpoint{fallback}", path);
        }
        try
        {
            using FileStream file = File.OpenRead(path);
            return Load(file, Path.GetFileName(path));
        }
        catch (InvalidDataException error) when (fallback.Length > 0)
        {
            throw new InvalidDataException(error.Message + fallback, error);
        }
    }

    /// <summary>Reads a checkpoint from <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The data is damaged, of another version, or not a checkpoint.</exception>
    public static TrainingCheckpoint Load(Stream stream, string name = "stream")
    {
        (_, ReadOnlyMemory<byte> payload) = ChecksummedFile.Read(stream, Magic, "training checkpoint", [Version], MaxPayload, name,
            "resume from the previous checkpoint or train again");
        var reader = new PayloadReader(payload, name);
        uint descriptionLength = reader.UInt32("description length");
        if (descriptionLength > MaxDescription)
        {
            throw new InvalidDataException($"{name}: a description of {descriptionLength} bytes is more than a checkpoint holds: the file is damaged");
        }
        Description description;
        try
        {
            description = JsonSerializer.Deserialize<Description>(reader.Bytes((int)descriptionLength, "description").Span)
                ?? throw new JsonException("the description is null");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{name}: the checkpoint's description is damaged: {error.Message}", error);
        }
        int[] order = new int[reader.Count("order length", 4)];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = reader.Int32("order");
        }
        var tensors = new Dictionary<string, float[]>();
        int tensorCount = reader.Count("tensor count", 7);
        for (int t = 0; t < tensorCount; t++)
        {
            string tensorName = reader.String("tensor name");
            var values = new float[reader.Count($"length of {tensorName}", 4)];
            reader.Floats(values, tensorName);
            if (!tensors.TryAdd(tensorName, values))
            {
                throw new InvalidDataException($"{name}: holds tensor {tensorName} twice: the file is damaged");
            }
        }
        reader.RequireEnd();
        return new TrainingCheckpoint(description, order, tensors);
    }

    /// <summary>Takes a checkpoint of a run in progress.</summary>
    internal static TrainingCheckpoint Capture(Trainer trainer, Trainer.Run run, TrainingOptions options, Checkpointing checkpointing)
    {
        Dictionary<string, float[]> tensors = LiveArrays(trainer, run, run.Best)
            .ToDictionary(entry => entry.Key, entry => entry.Value.ToArray());
        var description = new Description
        {
            Epochs = options.Epochs, BatchSize = options.BatchSize, Seed = options.Seed, Shuffle = options.Shuffle,
            TrainCount = run.Order.Length, Batches = run.Batches,
            Epoch = run.Epoch, Batch = run.Batch, LossSum = run.LossSum, Correct = run.Correct, EpochSeconds = run.EpochSeconds,
            Shuffling = run.Shuffling.State, Distortions = run.Distortions.State,
            LayerGenerators = trainer.Model.AllRandomGenerators().Select(rng => rng.State).ToArray(),
            LearningRate = trainer.Optimizer.LearningRate, Steps = trainer.Optimizer.Steps, AverageUpdates = run.Average?.Updates,
            History = [.. run.History], Metadata = new Dictionary<string, string>(checkpointing.Metadata),
        };
        return new TrainingCheckpoint(description, run.Order.ToArray(), tensors);
    }

    /// <summary>
    /// Puts this checkpoint's state into a run that is about to start: the model, the optimizer, the generators, the
    /// position. The run must be the one the checkpoint came from: the same options, data size, architecture and optimizer.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint was written by another kind of run; the message names the difference.</exception>
    internal void RestoreInto(Trainer trainer, Trainer.Run run, TrainingOptions options)
    {
        Description d = Facts;
        Require(d.Epochs == options.Epochs, $"{d.Epochs} epochs", $"{options.Epochs}");
        Require(d.BatchSize == options.BatchSize, $"batches of {d.BatchSize}", $"batches of {options.BatchSize}");
        Require(d.Seed == options.Seed, $"seed {d.Seed}", $"seed {options.Seed}");
        Require(d.Shuffle == options.Shuffle, d.Shuffle ? "shuffling" : "no shuffling", options.Shuffle ? "shuffling" : "no shuffling");
        Require(d.TrainCount == run.Order.Length && Order.Length == run.Order.Length, $"{d.TrainCount} training examples", $"{run.Order.Length}");
        Require(d.Epoch >= 1 && d.Epoch <= d.Epochs && d.Batch >= 0 && d.Batch <= run.Batches && d.Batches == run.Batches,
            $"a position of epoch {d.Epoch}, batch {d.Batch} of {d.Batches}", $"{run.Batches} batches an epoch");
        Require(Order.All(index => (uint)index < (uint)run.Order.Length) && Order.Distinct().Count() == Order.Length,
            "an order that is not a permutation of the training set", "one");
        Rng[] generators = trainer.Model.AllRandomGenerators().ToArray();
        Require(d.LayerGenerators.Length == generators.Length, $"{d.LayerGenerators.Length} layers with random generators", $"{generators.Length}");
        Require((d.AverageUpdates is not null) == (run.Average is not null),
            d.AverageUpdates is null ? "no weight averaging" : "weight averaging", run.Average is null ? "none" : "weight averaging");

        float[][]? best = Tensors.Keys.Any(name => name.StartsWith("best.", StringComparison.Ordinal))
            ? trainer.Model.State.Select(entry => new float[entry.Value.Length]).ToArray()
            : null;
        Dictionary<string, float[]> expected = LiveArrays(trainer, run, best);
        string? missing = expected.Keys.FirstOrDefault(name => !Tensors.ContainsKey(name));
        string? extra = Tensors.Keys.FirstOrDefault(name => !expected.ContainsKey(name));
        Require(missing is null && extra is null,
            extra is not null ? $"a tensor {extra}" : $"no tensor {missing}", $"this model and optimizer ({trainer.Model}, {trainer.Optimizer.GetType().Name})");
        foreach ((string name, float[] target) in expected)
        {
            Require(Tensors[name].Length == target.Length, $"{name} of {Tensors[name].Length} values", $"{target.Length}");
        }

        foreach ((string name, float[] target) in expected)
        {
            Tensors[name].CopyTo(target, 0);
        }
        trainer.Optimizer.LearningRate = d.LearningRate;
        trainer.Optimizer.Steps = d.Steps;
        if (run.Average is WeightAverage average)
        {
            average.Updates = d.AverageUpdates ?? 0;
        }
        foreach ((Rng generator, RngState state) in generators.Zip(d.LayerGenerators))
        {
            generator.State = state;
        }
        run.Shuffling.State = d.Shuffling;
        run.Distortions.State = d.Distortions;
        Order.CopyTo(run.Order, 0);
        (run.Epoch, run.Batch, run.InEpoch) = (d.Epoch, d.Batch, true);
        (run.LossSum, run.Correct, run.EpochSeconds) = (d.LossSum, d.Correct, d.EpochSeconds);
        run.Best = best;
        run.History.AddRange(d.History);
    }

    /// <summary>
    /// Every array a checkpoint holds, by its name in the file, as the live arrays of the run: the model's state, the
    /// optimizer's, the averaged weights and <paramref name="best"/> (the early-stopping copy) when there is one.
    /// Capture copies them out; a resume copies into them.
    /// </summary>
    private static Dictionary<string, float[]> LiveArrays(Trainer trainer, Trainer.Run run, float[][]? best)
    {
        var arrays = new Dictionary<string, float[]>();
        foreach ((string name, Tensor value) in trainer.Model.State)
        {
            arrays["model." + name] = value.Data;
        }
        foreach ((string name, float[] values) in trainer.Optimizer.State)
        {
            arrays["optimizer." + name] = values;
        }
        for (int i = 0; i < (run.Average?.Averages.Count ?? 0); i++)
        {
            arrays[$"average.{i}"] = run.Average!.Averages[i];
        }
        if (best is not null)
        {
            foreach (((string name, Tensor _), float[] values) in trainer.Model.State.Zip(best))
            {
                arrays["best." + name] = values;
            }
        }
        return arrays;
    }

    private void Require(bool holds, string checkpointHas, string runHas)
    {
        if (!holds)
        {
            throw new InvalidDataException($"the checkpoint at {this} was written by another run: it has {checkpointHas}, this run {runHas}");
        }
    }

    /// <summary>The checkpoint's JSON description.</summary>
    internal sealed record Description
    {
        public int Epochs { get; init; }
        public int BatchSize { get; init; }
        public int Seed { get; init; }
        public bool Shuffle { get; init; }
        public int TrainCount { get; init; }
        public int Batches { get; init; }
        public int Epoch { get; init; }
        public int Batch { get; init; }
        public double LossSum { get; init; }
        public long Correct { get; init; }
        public double EpochSeconds { get; init; }
        public RngState Shuffling { get; init; }
        public RngState Distortions { get; init; }
        public RngState[] LayerGenerators { get; init; } = [];
        public float LearningRate { get; init; }
        public long Steps { get; init; }
        public long? AverageUpdates { get; init; }
        public EpochResult[] History { get; init; } = [];
        public Dictionary<string, string> Metadata { get; init; } = [];
    }
}
