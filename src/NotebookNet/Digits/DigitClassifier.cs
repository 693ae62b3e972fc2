using System.Globalization;
using NotebookNet.Data;
using NotebookNet.Layers;
using NotebookNet.Preprocessing;
using NotebookNet.Serialization;
using NotebookNet.Tensors;
using NotebookNet.Training;

namespace NotebookNet.Digits;

/// <summary>
/// What a model made of one picture: the digit (−1 when no digit was found), all ten probabilities, and the
/// MNIST-style input it saw.
/// </summary>
public sealed record Prediction(int Digit, float[] Probabilities, PreprocessedDigit Input)
{
    /// <summary>Whether a digit was found in the picture.</summary>
    public bool Found => Digit >= 0;

    /// <summary>The probability of the predicted digit (0 when none was found).</summary>
    public float Probability => Found ? Probabilities[Digit] : 0f;

    /// <summary>The <paramref name="count"/> likeliest digits, likeliest first.</summary>
    public IReadOnlyList<(int Digit, float Probability)> Top(int count = 3) =>
        Probabilities.Select((probability, digit) => (digit, probability)).OrderByDescending(pair => pair.probability).Take(count).ToArray();

    /// <inheritdoc />
    public override string ToString() => Found
        ? $"{Digit} ({Probability:P1}); top three: {string.Join(", ", Top().Select(t => $"{t.Digit} {t.Probability.ToString("P1", CultureInfo.InvariantCulture)}"))}"
        : $"no digit: {Input.Problem}";
}

/// <summary>
/// A trained model with what it needs to read pictures: what it expects of its input (the pixel scaling and input shape it
/// was trained with) and a <see cref="DigitPreprocessor"/>. <c>classifier.Predict(picture)</c> gives the digit and its
/// probabilities. Introduced in notebook 07.
/// </summary>
public sealed class DigitClassifier(Sequential model, ModelInput input, DigitPreprocessor? preprocessor = null)
{
    /// <summary>The network; it outputs ten logits.</summary>
    public Sequential Model { get; } = model;

    /// <summary>What the model expects of its input, as saved with it.</summary>
    public ModelInput Input { get; } = input;

    /// <summary>How pixels became inputs in training.</summary>
    public PixelScaling Scaling => Input.Scaling;

    /// <summary>The shape of one input: (784,) or (1, 28, 28).</summary>
    public int[] InputShape => Input.Shape.ToArray();

    /// <summary>The preprocessing applied to pictures.</summary>
    public DigitPreprocessor Preprocessor { get; } = preprocessor ?? new DigitPreprocessor();

    /// <summary>A classifier for a model trained by <paramref name="recipe"/>.</summary>
    public static DigitClassifier For(Recipe recipe, Sequential model) => new(model, recipe.Input);

    /// <summary>Loads a model file written by <c>train</c>, which records what the model expects of its input.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid model file, records no input, or is not a digit classifier.</exception>
    public static DigitClassifier Load(string path) => For(ModelFile.Load(path), Path.GetFileName(path));

    /// <summary>A classifier for a model already read from <paramref name="source"/> (a file name, for messages).</summary>
    /// <exception cref="InvalidDataException">The model records no input, or is not a 28×28 → 10 classifier.</exception>
    public static DigitClassifier For(SavedModel saved, string source)
    {
        ModelInput input = saved.Input
            ?? throw new InvalidDataException($"{source}: records no input (pixel scaling and shape); save it with ModelFile.Save(model, path, input)");
        if (input.ClassNames.Count != 10 || input.Length != Mnist.Pixels)
        {
            throw new InvalidDataException($"{source}: takes {input.Length} values and has {input.ClassNames.Count} classes; a digit classifier takes 28×28 pictures into 10 classes");
        }
        return new DigitClassifier(saved.Model, input);
    }

    /// <summary>Reads a picture file, preprocesses it and classifies it.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not an image or is truncated.</exception>
    /// <param name="imageFile">The picture file.</param>
    /// <param name="keepSteps">Keep every intermediate image of the preprocessing in the prediction's input, to show them.</param>
    public Prediction Predict(string imageFile, bool keepSteps = false) => Predict(ImageDecoder.Load(imageFile), keepSteps);

    /// <summary>Preprocesses a picture of any size and polarity and classifies it.</summary>
    /// <param name="picture">The picture, in gray.</param>
    /// <param name="keepSteps">Keep every intermediate image of the preprocessing in the prediction's input, to show them.</param>
    public Prediction Predict(GrayImage picture, bool keepSteps = false) =>
        Predict(Input.Dataset == ImageSet.Mnist.Name ? Preprocessor.Process(picture, keepSteps) : Framed(picture));

    /// <summary>The name of class <paramref name="label"/>: the digit itself for MNIST, "Coat" for Fashion-MNIST's 4.</summary>
    public string ClassName(int label) => Input.ClassNames[label];

    /// <summary>
    /// A picture of something that is not a digit (a Fashion-MNIST model's coat), made the way that set's pictures were
    /// made: the object light on black (a light background is inverted), its longer side scaled to 28 pixels, centred.
    /// The digit preprocessing's stroke and centre-of-mass rules are for handwriting and are not applied.
    /// </summary>
    private static PreprocessedDigit Framed(GrayImage picture)
    {
        float border = 0f;
        int count = 0;
        for (int x = 0; x < picture.Width; x++)
        {
            border += picture.Pixels[x] + picture.Pixels[(picture.Height - 1) * picture.Width + x];
            count += 2;
        }
        for (int y = 0; y < picture.Height; y++)
        {
            border += picture.Pixels[y * picture.Width] + picture.Pixels[y * picture.Width + picture.Width - 1];
            count += 2;
        }
        GrayImage light = picture.Clone();
        if (border / count > 0.5f)
        {
            for (int i = 0; i < light.Pixels.Length; i++)
            {
                light.Pixels[i] = 1f - light.Pixels[i];
            }
        }
        float scale = 28f / Math.Max(picture.Width, picture.Height);
        int width = Math.Max(1, (int)Math.Round(picture.Width * scale)), height = Math.Max(1, (int)Math.Round(picture.Height * scale));
        GrayImage small = light.Resize(width, height);
        var framed = new GrayImage(28, 28);
        for (int y = 0; y < height; y++)
        {
            small.Pixels.AsSpan(y * width, width).CopyTo(framed.Pixels.AsSpan((y + (28 - height) / 2) * 28 + (28 - width) / 2, width));
        }
        return new PreprocessedDigit { Found = true, Image = framed };
    }

    /// <summary>Classifies a preprocessed digit.</summary>
    public Prediction Predict(PreprocessedDigit digit) => digit.Found ? Classify(digit) : new Prediction(-1, new float[10], digit);

    /// <summary>The ten probabilities for each of <paramref name="digits"/> (MNIST layout), as (N, 10).</summary>
    public Tensor Probabilities(MnistSplit digits) => new Ensemble([Model]).Probabilities(digits.ToDataset(Scaling).Reshape(InputShape));

    /// <summary>The fraction of <paramref name="digits"/> classified as labelled.</summary>
    public float Accuracy(MnistSplit digits) => digits.Count == 0 ? 0f : Evaluation.Accuracy(Model, digits.ToDataset(Scaling).Reshape(InputShape));

    /// <summary>
    /// What the network looked at for <paramref name="prediction"/>: the gradient of the predicted digit's score with
    /// respect to each of the 784 inputs the network received (<see cref="Training.Saliency"/>), row by row.
    /// </summary>
    /// <exception cref="ArgumentException">The prediction found no digit, so there is nothing to explain.</exception>
    public float[] Saliency(Prediction prediction)
    {
        if (!prediction.Found)
        {
            throw new ArgumentException($"no digit was found ({prediction.Input.Problem}): there is nothing to explain", nameof(prediction));
        }
        Tensor input = new MnistSplit(prediction.Input.ToBytes(), [0]).ToDataset(Scaling).Images.Reshape([1, .. InputShape]);
        return Training.Saliency.Of(Model, input, prediction.Digit).Data;
    }

    private Prediction Classify(PreprocessedDigit digit)
    {
        Tensor probabilities = Probabilities(new MnistSplit(digit.ToBytes(), [0]));
        float[] values = probabilities.Data.AsSpan(0, 10).ToArray();
        return new Prediction(TensorPrimitives.IndexOfMax(values), values, digit);
    }
}
