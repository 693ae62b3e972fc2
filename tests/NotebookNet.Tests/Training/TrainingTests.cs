using NotebookNet.Activations;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Layers;
using NotebookNet.Losses;
using NotebookNet.Optimizers;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Tests.Training;

public class TrainingTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    private const float RashidFloor = 0.88f;

    [Fact]
    public void AnImagesOutputDoesNotDependOnTheBatchItIsIn()
    {
        // Evaluation runs in batches of 250 to bound its memory; the outputs must be those of any other batching.
        Dataset test = Recipe.BestCnn.Shape(mnist.Test.ToDataset(Recipe.BestCnn.Scaling, 530));
        Sequential model = Recipe.BestCnn.CreateModel(new Rng(4));
        model.IsTraining = false;
        Tensor Outputs(int batchSize)
        {
            var all = new List<float>();
            for (int start = 0; start < test.Count; start += batchSize)
            {
                Tensor images = test.Batch(start, Math.Min(batchSize, test.Count - start));
                all.AddRange(model.Forward(images).Data);
            }
            return new Tensor(all.ToArray(), test.Count, 10);
        }
        float[] whole = Outputs(530).Data;
        foreach (int batchSize in new[] { 250, 64, 7 })
        {
            Assert.True(whole.AsSpan().SequenceEqual(Outputs(batchSize).Data), $"batches of {batchSize} gave other outputs than one batch of 530");
        }
        Assert.Equal(Evaluation.Predict(model, test, 530), Evaluation.Predict(model, test));
    }

    [Fact]
    public void SameSeedGivesBitIdenticalWeights()
    {
        Dataset train = mnist.Train.ToDataset(count: 2000);
        float[][] Run(int seed)
        {
            var (model, _) = Recipe.W1.Train(train, null, seed, options: Recipe.W1.Options with { Epochs = 2 });
            return model.Parameters.Select(p => p.Value.Data).ToArray();
        }
        float[][] a = Run(7), b = Run(7), c = Run(8);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i], b[i]);
        }
        Assert.NotEqual(a[0], c[0]);
    }

    [Fact]
    public void ShortRunOnASubsetPassesItsFloor()
    {
        Dataset train = mnist.Train.ToDataset(count: 10_000);
        Dataset test = mnist.Test.ToDataset(count: 2_000);
        var (model, history) = Recipe.W1.Train(train, test, seed: 1, options: Recipe.W1.Options with { Epochs = 3 });
        Assert.Equal(3, history.Count);
        Assert.True(history[2].Loss < history[0].Loss, history.ToString());
        // Measured: 87.6 % on these 2,000 test digits (the first ones of the test set are the harder ones).
        Assert.True(history.FinalTestAccuracy >= 0.85f, history.ToString());
        ConfusionMatrix confusion = Evaluation.Confusion(model, test);
        Assert.Equal(2_000, confusion.Total);
        Assert.Equal(history.FinalTestAccuracy!.Value, confusion.Accuracy, 5);
        Assert.All(confusion.PerClassAccuracy, accuracy => Assert.InRange(accuracy, 0.6f, 1f));
    }

    [Fact]
    public void RashidsNetworkLearnsPerSample()
    {
        Dataset train = mnist.Train.ToDataset(PixelScaling.Rashid, count: 10_000);
        Dataset test = mnist.Test.ToDataset(PixelScaling.Rashid).Slice(5_000, 2_000);
        var (_, history) = Recipe.Rashid.Train(train, test, seed: 1, options: Recipe.Rashid.Options with { Epochs = 1 });
        Assert.True(history.FinalTestAccuracy >= RashidFloor, history.ToString());
    }

    [Fact]
    public void AnUntrainedNetworkIsNearChance()
    {
        Dataset test = mnist.Test.ToDataset(count: 2_000);
        float accuracy = Evaluation.Accuracy(Recipe.W1.CreateModel(new Rng(3)), test);
        Assert.InRange(accuracy, 0.02f, 0.25f);
    }

    [Fact]
    public void ALearningRateThatDivergesStopsWithAClearError()
    {
        Dataset train = mnist.Train.ToDataset(count: 2_000);
        var model = new Sequential(new Linear(784, 10, rng: new Rng(1)));
        // Squared error on a linear model: each step multiplies the error, so a large rate explodes to infinity.
        var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters, learningRate: 50f));
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(train, null, new TrainingOptions { Epochs = 5, BatchSize = 32 }));
        Assert.Contains("epoch 1, batch", error.Message);
        Assert.Contains("smaller learning rate", error.Message);
    }

    [Fact]
    public void NaNInTheDataStopsTrainingBeforeTheStepAndSaysSo()
    {
        Dataset train = mnist.Train.ToDataset(count: 640);
        train.Images.Data[100 * 784 + 300] = float.NaN;
        var model = Recipe.W1.CreateModel(new Rng(1));
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters, 0.1f));
        var error = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(train, null, new TrainingOptions { BatchSize = 64, Shuffle = false }));
        Assert.Contains("batch 2 of 10", error.Message);
        Assert.Contains("NaN or infinite values: check the data", error.Message);
        Assert.Contains("keeps the weights of the last good step", error.Message);
        Assert.All(model.Parameters, p => Assert.All(p.Value.Data, w => Assert.True(float.IsFinite(w))));
    }

    [Fact]
    public void CancellationStopsTraining()
    {
        Dataset train = mnist.Train.ToDataset(count: 2_000);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var model = Recipe.W1.CreateModel(new Rng(1));
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters, 0.1f));
        Assert.Throws<OperationCanceledException>(() => trainer.Fit(train, null, new TrainingOptions(), cancellation: cancel.Token));
    }

    [Fact]
    public void ProgressIsReportedUpToTheEnd()
    {
        Dataset train = mnist.Train.ToDataset(count: 1_000);
        var reports = new List<TrainingProgress>();
        var model = Recipe.W1.CreateModel(new Rng(1));
        new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters, 0.1f))
            .Fit(train, null, new TrainingOptions { Epochs = 2, BatchSize = 100, ReportEvery = 3 }, new ListProgress(reports));
        Assert.Equal(1.0, reports[^1].Fraction, 6);
        Assert.Equal(8, reports.Count); // batches 3, 6, 9, 10 in each of two epochs
    }

    [Fact]
    public void LaterEpochsAndEvaluationsReuseTheFirstOnesBuffers()
    {
        // 200 images in batches of 64: a last batch of 8 each epoch. A convolutional network's batch needs large arrays,
        // which the garbage collector frees only in full collections: made afresh every epoch they piled up.
        Dataset train = Recipe.LeNet5.Shape(mnist.Train.ToDataset(Recipe.LeNet5.Scaling, 200));
        Sequential model = Recipe.LeNet5.CreateModel(new Rng(1));
        var allocated = new List<long>();   // by this thread, at the end of each epoch
        var progress = new EpochEnds(allocated);
        new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters, 0.01f))
            .Fit(train, null, new TrainingOptions { Epochs = 3, BatchSize = 64 }, progress);
        long first = allocated[0] - progress.Start, third = allocated[2] - allocated[1];
        Assert.True(third < first / 10, $"epoch 3 allocated {third:N0} bytes, epoch 1 {first:N0}: the batches' buffers were not reused");

        long before = GC.GetAllocatedBytesForCurrentThread();
        Evaluation.Predict(model, train, batchSize: 64);
        long once = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        Evaluation.Predict(model, train, batchSize: 64);
        long again = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(again < once / 4, $"a second evaluation allocated {again:N0} bytes, the first {once:N0}: its buffers were not reused");
    }

    [Fact]
    public void TrainingAndEvaluationLeaveNoBatchInTheModel()
    {
        // A model kept after training or evaluation must not hold its last batch (a trained bn-cnn held 129 MB of it):
        // every layer that kept one lets it go, so a Backward now is refused as one before any Forward.
        Dataset data = Recipe.BnCnn.Shape(mnist.Train.ToDataset(Recipe.BnCnn.Scaling, 64));
        Sequential model = Recipe.BnCnn.CreateModel(new Rng(1));
        void EveryLayerLetGo(string after)
        {
            foreach (ILayer layer in model.Layers.Where(layer => layer is not Flatten and not Dropout))
            {
                var error = Assert.Throws<InvalidOperationException>(() => layer.Backward(new Tensor(1)));
                Assert.Contains("before Forward", error.Message);
            }
            Assert.True(model.Layers.Count(layer => layer is Conv2d) >= 4 && model.Layers.Any(layer => layer is BatchNorm), after);
        }
        new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters, 0.01f)).Fit(data, null, new TrainingOptions { Epochs = 1, BatchSize = 32 });
        EveryLayerLetGo("training");
        model.Forward(data.Batch(0, 8));
        Evaluation.Predict(model, data);
        EveryLayerLetGo("evaluation");
        model.Forward(data.Batch(0, 8));
        new Ensemble([model]).Probabilities(data);
        EveryLayerLetGo("an ensemble's probabilities");
    }

    private sealed class EpochEnds(List<long> allocated) : IProgress<TrainingProgress>
    {
        public long Start { get; } = GC.GetAllocatedBytesForCurrentThread();

        public void Report(TrainingProgress value)
        {
            if (value.Batch == value.Batches)
            {
                allocated.Add(GC.GetAllocatedBytesForCurrentThread());
            }
        }
    }

    private sealed class ListProgress(List<TrainingProgress> list) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => list.Add(value);
    }

    [Fact]
    public void AScheduleIsSizedFromTheRunsOwnEpochs()
    {
        // mlp256 anneals over 15 epochs; asked for 3, the cosine must still reach its end within those 3.
        Dataset train = mnist.Train.ToDataset(count: 300);
        var (_, history) = Recipe.Mlp256.Train(train, null, seed: 1, options: Recipe.Mlp256.Options with { Epochs = 3 });
        float baseRate = Recipe.Mlp256.CreateOptimizer(Recipe.Mlp256.CreateModel(new Rng(1))).LearningRate;
        Assert.Equal([baseRate, baseRate * 0.75f, baseRate * 0.25f], history.Select(epoch => epoch.LearningRate).ToArray(), new FloatTolerance(1e-6f));

        // A new base rate is still multiplied by the schedule.
        var (_, faster) = Recipe.Mlp256.Train(train, null, seed: 1, options: Recipe.Mlp256.Options with { Epochs = 2 }, learningRate: 0.2f);
        Assert.Equal([0.2f, 0.1f], faster.Select(epoch => epoch.LearningRate).ToArray(), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void ZeroEpochsOrBatchSizeIsRefusedNamingTheOption()
    {
        var model = Recipe.W1.CreateModel(new Rng(1));
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters, 0.1f));
        Dataset train = mnist.Train.ToDataset(count: 10);
        Assert.Equal("options.Epochs", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(train, null, new TrainingOptions { Epochs = 0 })).ParamName);
        Assert.Equal("options.BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(train, null, new TrainingOptions { BatchSize = 0 })).ParamName);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => MathF.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
