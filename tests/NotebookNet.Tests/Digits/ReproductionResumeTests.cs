using NotebookNet.Digits;
using NotebookNet.Training;

namespace NotebookNet.Tests.Digits;

public class ReproductionResumeTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    [Fact]
    public void AStoppedReproductionResumesFromItsCheckpointAndReportsTheSameResult()
    {
        using var folder = new TempFolder();
        Recipe recipe = Recipe.SmallCnn; // Adam and averaged weights: state beyond the model's
        ReproducedResult whole = Reproduction.Run(recipe, mnist.Train, mnist.Test, seed: 2, quick: true);

        using var stop = new CancellationTokenSource();
        ShowTraining stopHalfway = (_, run) => run(new Progress(p =>
        {
            if (p.Batch >= p.Batches / 2)
            {
                stop.Cancel();
            }
        }));
        Assert.Throws<OperationCanceledException>(() =>
            Reproduction.Run(recipe, mnist.Train, mnist.Test, seed: 2, quick: true, show: stopHalfway, checkpoints: folder.Path, cancellation: stop.Token));
        string checkpoint = Path.Combine(folder.Path, "small-cnn-seed2-quick.ckpt");
        Assert.True(TrainingCheckpoint.Load(checkpoint).Fraction is > 0.4 and < 0.7);

        var log = new List<string>();
        ReproducedResult resumed = Reproduction.Run(recipe, mnist.Train, mnist.Test, seed: 2, quick: true, log: log.Add,
            checkpoints: folder.Path, resume: true);
        Assert.Contains(log, line => line.Contains("resuming from"));
        Assert.Equal(whole.Accuracy, resumed.Accuracy);
        Assert.Equal(whole.Model.State.SelectMany(t => t.Value.Data), resumed.Model.State.SelectMany(t => t.Value.Data));
        Assert.False(File.Exists(checkpoint));

        // Once finished, its model is kept for the rest of the reproduction: a resume reads it instead of training again.
        log.Clear();
        ReproducedResult again = Reproduction.Run(recipe, mnist.Train, mnist.Test, seed: 2, quick: true, log: log.Add,
            checkpoints: folder.Path, resume: true);
        Assert.Contains(log, line => line.Contains("trained before"));
        Assert.Equal(whole.Accuracy, again.Accuracy);
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
