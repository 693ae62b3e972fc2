using NotebookNet.Data;
using NotebookNet.Preprocessing;
using NotebookNet.Training;

namespace NotebookNet.Digits;

/// <summary>Generated drawings made ready for classifiers, once: with the full pipeline and squeezed only.</summary>
/// <param name="Preprocessed">The drawings in which a digit was found, through <see cref="DigitPreprocessor.Process(GrayImage, bool)"/>.</param>
/// <param name="ResizedOnly">Every drawing, made white on black and squeezed into 28×28.</param>
/// <param name="NotFound">Drawings in which the pipeline found no digit (they count as wrong).</param>
public sealed record PreparedDrawings(MnistSplit Preprocessed, MnistSplit ResizedOnly, int NotFound)
{
    /// <summary>The number of drawings.</summary>
    public int Count => ResizedOnly.Count;
}

/// <summary>A classifier's accuracy on generated drawings, with the MNIST pipeline and with resizing only.</summary>
public sealed record DrawingAccuracy(int Count, float Preprocessed, float ResizedOnly, int NotFound);

/// <summary>
/// How well a model trained on MNIST reads digits no MNIST writer made: shifted test digits and generated drawings.
/// Introduced in notebook 07; <c>reproduce</c> prints its table.
/// </summary>
public static class Robustness
{
    /// <summary>Runs every drawing through the preprocessing (and through resizing only), once for any number of classifiers.</summary>
    public static PreparedDrawings Prepare(IEnumerable<DrawnDigit> drawings, DigitPreprocessor? preprocessor = null)
    {
        preprocessor ??= new DigitPreprocessor();
        var preprocessed = new List<byte>();
        var preprocessedLabels = new List<byte>();
        var resized = new List<byte>();
        var resizedLabels = new List<byte>();
        int notFound = 0;
        foreach (DrawnDigit drawing in drawings)
        {
            GrayImage picture = drawing.ToGray();
            resized.AddRange(preprocessor.ResizeOnly(picture).ToBytes());
            resizedLabels.Add((byte)drawing.Label);
            PreprocessedDigit digit = preprocessor.Process(picture);
            if (digit.Found)
            {
                preprocessed.AddRange(digit.ToBytes());
                preprocessedLabels.Add((byte)drawing.Label);
            }
            else
            {
                notFound++;
            }
        }
        return new PreparedDrawings(new MnistSplit([.. preprocessed], [.. preprocessedLabels]),
            new MnistSplit([.. resized], [.. resizedLabels]), notFound);
    }

    /// <summary>The classifier's accuracy on prepared drawings; a drawing with no digit found counts as wrong.</summary>
    public static DrawingAccuracy Evaluate(DigitClassifier classifier, PreparedDrawings drawings)
    {
        float preprocessed = classifier.Accuracy(drawings.Preprocessed) * drawings.Preprocessed.Count / Math.Max(1, drawings.Count);
        return new DrawingAccuracy(drawings.Count, preprocessed, classifier.Accuracy(drawings.ResizedOnly), drawings.NotFound);
    }

    /// <summary>
    /// The digits moved <paramref name="dx"/> pixels right and <paramref name="dy"/> down (negative: left, up); what
    /// leaves the 28×28 field is lost, what enters is background.
    /// </summary>
    public static MnistSplit Shift(MnistSplit digits, int dx, int dy)
    {
        var pixels = new byte[digits.Pixels.Length];
        for (int n = 0; n < digits.Count; n++)
        {
            int offset = n * Mnist.Pixels;
            for (int y = 0; y < 28; y++)
            {
                int sourceY = y - dy;
                if (sourceY is < 0 or >= 28)
                {
                    continue;
                }
                for (int x = 0; x < 28; x++)
                {
                    int sourceX = x - dx;
                    if (sourceX is >= 0 and < 28)
                    {
                        pixels[offset + y * 28 + x] = digits.Pixels[offset + sourceY * 28 + sourceX];
                    }
                }
            }
        }
        return new MnistSplit(pixels, (byte[])digits.Labels.Clone());
    }
}
