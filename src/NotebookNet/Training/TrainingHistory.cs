using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace NotebookNet.Training;

/// <summary>What one epoch measured.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss over the epoch's batches.</param>
/// <param name="TrainAccuracy">Fraction of training examples classified right as they were trained.</param>
/// <param name="TestAccuracy">Fraction of the test set classified right after the epoch, when a test set was given
/// (with the averaged weights when <see cref="TrainingOptions.WeightAveraging"/> is set).</param>
/// <param name="Seconds">Training time of the epoch (evaluation excluded).</param>
/// <param name="LearningRate">The learning rate used.</param>
/// <param name="TrainedTestAccuracy">With weight averaging, the test accuracy of the trained (not averaged) weights.</param>
public sealed record EpochResult(int Epoch, float Loss, float TrainAccuracy, float? TestAccuracy, double Seconds, float LearningRate,
    float? TrainedTestAccuracy = null)
{
    /// <summary>Fraction of the validation set classified right after the epoch, when a validation set was given.</summary>
    public float? ValidationAccuracy { get; init; }
}

/// <summary>The epochs of a training run, in order. Notebooks show it as a table and as curves.</summary>
public sealed class TrainingHistory : List<EpochResult>
{
    /// <summary>The last epoch's test accuracy, if measured.</summary>
    public float? FinalTestAccuracy => Count == 0 ? null : this[^1].TestAccuracy;

    /// <summary>
    /// The epoch with the highest validation accuracy (the first of equals), or the last epoch when no validation set
    /// was given: the epoch to choose, chosen without looking at the test set.
    /// </summary>
    public int BestEpoch => Count == 0 ? 0
        : this.All(e => e.ValidationAccuracy is null) ? this[^1].Epoch
        : this.Aggregate((best, e) => (e.ValidationAccuracy ?? -1) > (best.ValidationAccuracy ?? -1) ? e : best).Epoch;

    /// <summary>Whether early stopping ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; set; }

    /// <summary>Total training seconds.</summary>
    public double TotalSeconds => this.Sum(epoch => epoch.Seconds);

    /// <summary>The history as a Microsoft.Data.Analysis <see cref="DataFrame"/>: one row per epoch.</summary>
    public DataFrame ToDataFrame() => new(
        new Int32DataFrameColumn("epoch", this.Select(e => e.Epoch)),
        new SingleDataFrameColumn("loss", this.Select(e => e.Loss)),
        new SingleDataFrameColumn("train accuracy", this.Select(e => e.TrainAccuracy)),
        new SingleDataFrameColumn("validation accuracy", this.Select(e => e.ValidationAccuracy ?? float.NaN)),
        new SingleDataFrameColumn("test accuracy", this.Select(e => e.TestAccuracy ?? float.NaN)),
        new DoubleDataFrameColumn("seconds", this.Select(e => e.Seconds)),
        new SingleDataFrameColumn("learning rate", this.Select(e => e.LearningRate)));

    /// <summary>The history as a plain-text table.</summary>
    public override string ToString()
    {
        static string Percent(float? value) => value is float v ? v.ToString("P2", CultureInfo.InvariantCulture) : "-";
        var text = new StringBuilder("epoch   loss     train    valid.   test     rate       seconds\n");
        foreach (EpochResult e in this)
        {
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{e.Epoch,5}   {e.Loss,-7:F4}  {e.TrainAccuracy,-7:P2}  {Percent(e.ValidationAccuracy),-7}  {Percent(e.TestAccuracy),-7}  {e.LearningRate,-9:G4}  {e.Seconds:F2}{(e.TrainedTestAccuracy is float trained ? $"  (averaged weights; the trained ones: {trained.ToString("P2", CultureInfo.InvariantCulture)})" : "")}"));
        }
        return text.ToString();
    }
}
