using System.Globalization;
using System.Text;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Tensors;

namespace NotebookNet.Training;

/// <summary>Accuracy and confusion of a model on a dataset, in evaluation mode. Introduced in notebook 04.</summary>
public static class Evaluation
{
    /// <summary>The buffers of this thread's last evaluation, for the next (none of its tensors leaves it).</summary>
    [ThreadStatic]
    private static WeakReference<TensorScope>? t_buffers;

    /// <summary>
    /// The predicted class of every example, computed in batches. Batches of 250, not more: a convolutional network's
    /// activations for 1,000 images took 320 MB, and a best-cnn training run peaked at 898 MB instead of 442 MB (measured,
    /// 12,000 images, one epoch); smaller batches give the same predictions.
    /// </summary>
    public static int[] Predict(Sequential model, Dataset data, int batchSize = 250)
    {
        var predictions = new int[data.Count];
        using ModeScope evaluation = model.EvaluationMode();
        using TensorScope scope = TensorScope.Reopen(ref t_buffers);
        for (int start = 0; start < data.Count; start += batchSize)
        {
            scope.Reset();
            Tensor images = data.Batch(start, Math.Min(batchSize, data.Count - start));
            model.Forward(images).ArgMaxRows().CopyTo(predictions, start);
        }
        model.ReleaseBatch();
        return predictions;
    }

    /// <summary>The fraction of examples classified right, 0..1.</summary>
    public static float Accuracy(Sequential model, Dataset data, int batchSize = 250)
    {
        int[] predictions = Predict(model, data, batchSize);
        int correct = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            correct += predictions[i] == data.Labels[i] ? 1 : 0;
        }
        return data.Count == 0 ? 0f : (float)correct / data.Count;
    }

    /// <summary>The confusion matrix of the model's predictions on <paramref name="data"/>.</summary>
    public static ConfusionMatrix Confusion(Sequential model, Dataset data, int classes = 10) =>
        new(data.Labels, Predict(model, data), classes);
}

/// <summary>Counts[actual, predicted] over a dataset, with the per-class accuracy (recall).</summary>
public sealed class ConfusionMatrix
{
    /// <summary>Tallies <paramref name="actual"/> against <paramref name="predicted"/>.</summary>
    public ConfusionMatrix(IReadOnlyList<int> actual, IReadOnlyList<int> predicted, int classes = 10)
    {
        if (actual.Count != predicted.Count)
        {
            throw new ArgumentException($"{actual.Count} labels but {predicted.Count} predictions");
        }
        Classes = classes;
        Counts = new int[classes, classes];
        for (int i = 0; i < actual.Count; i++)
        {
            Counts[actual[i], predicted[i]]++;
        }
    }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <summary>Counts[actual, predicted].</summary>
    public int[,] Counts { get; }

    /// <summary>The number of examples tallied.</summary>
    public int Total => Counts.Cast<int>().Sum();

    /// <summary>The fraction on the diagonal.</summary>
    public float Accuracy => Total == 0 ? 0f : (float)Enumerable.Range(0, Classes).Sum(c => Counts[c, c]) / Total;

    /// <summary>For each class, the fraction of its examples predicted as it.</summary>
    public float[] PerClassAccuracy => Enumerable.Range(0, Classes).Select(c =>
    {
        int row = Enumerable.Range(0, Classes).Sum(p => Counts[c, p]);
        return row == 0 ? 0f : (float)Counts[c, c] / row;
    }).ToArray();

    /// <summary>The matrix as a plain-text table, rows = actual, columns = predicted.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("actual\\pred");
        for (int p = 0; p < Classes; p++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{p,6}");
        }
        text.AppendLine("   accuracy");
        float[] perClass = PerClassAccuracy;
        for (int a = 0; a < Classes; a++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{a,11}");
            for (int p = 0; p < Classes; p++)
            {
                text.Append(CultureInfo.InvariantCulture, $"{Counts[a, p],6}");
            }
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"   {perClass[a]:P2}"));
        }
        return text.ToString();
    }
}
