using NotebookNet.Activations;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Tensors;

namespace NotebookNet.Training;

/// <summary>
/// Several trained networks voting by probability: the ensemble's answer is the class with the largest mean softmax
/// probability over its members. Members trained from different seeds make different mistakes.
/// </summary>
public sealed class Ensemble(IReadOnlyList<Sequential> members)
{
    /// <summary>The networks, each taking the same input shape.</summary>
    public IReadOnlyList<Sequential> Members { get; } = members.Count > 0 ? members : throw new ArgumentException("an ensemble needs at least one member");

    /// <summary>The mean of the members' softmax probabilities for each example, shape (N, C).</summary>
    public Tensor Probabilities(Dataset data, int batchSize = 250)
    {
        Tensor? sum = null;
        var softmax = new Softmax();
        foreach (Sequential member in Members)
        {
            using ModeScope evaluation = member.EvaluationMode();
            using TensorScope scope = TensorScope.Begin();
            for (int start = 0; start < data.Count; start += batchSize)
            {
                scope.Reset();
                int size = Math.Min(batchSize, data.Count - start);
                Tensor images = data.Batch(start, size);
                Tensor p = softmax.Forward(member.Forward(images));
                // Its own array, not the scope's: the sum outlives the batches.
                sum ??= new Tensor(new float[data.Count * p.Size(1)], data.Count, p.Size(1));
                Span<float> rows = sum.Data.AsSpan(start * p.Size(1), p.Length);
                TensorPrimitives.Add(rows, p.Span, rows);
            }
            member.ReleaseBatch();
        }
        TensorPrimitives.Divide(sum!.Span, Members.Count, sum.Span);
        return sum;
    }

    /// <summary>The fraction of examples whose most probable class is the label.</summary>
    public float Accuracy(Dataset data)
    {
        int[] predicted = Probabilities(data).ArgMaxRows();
        return (float)predicted.Zip(data.Labels).Count(pair => pair.First == pair.Second) / data.Count;
    }
}
