using System.Globalization;
using System.Text;

namespace NotebookNet.Data;

/// <summary>
/// The CSV layout several MNIST tutorials use (Kaggle's "Digit Recognizer", Rashid's <c>mnist_train.csv</c>): one
/// digit a line, <c>label,pixel0,…,pixel783</c>, pixels 0–255, an optional header line.
/// </summary>
public static class DigitCsv
{
    /// <summary>Reads a CSV file of labelled digits.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">A line has the wrong number of values, or a value is not a number in range; the message names the file and line.</exception>
    public static MnistSplit Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such CSV file", path);
        }
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Reads CSV text of labelled digits; <paramref name="name"/> is used in error messages.</summary>
    /// <exception cref="InvalidDataException">A line has the wrong number of values, or a value is not a number in range.</exception>
    public static MnistSplit Read(TextReader reader, string name = "csv")
    {
        var pixels = new List<byte>();
        var labels = new List<byte>();
        int lineNumber = 0;
        while (reader.ReadLine() is string line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            string[] values = line.Split(',');
            if (lineNumber == 1 && !int.TryParse(values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                continue; // a header such as "label,pixel0,...,pixel783"
            }
            if (values.Length != 1 + Mnist.Pixels)
            {
                throw new InvalidDataException($"{name}, line {lineNumber}: {values.Length} values, expected 785 (a label and 784 pixels)");
            }
            labels.Add(Parse(values[0], 9, name, lineNumber, "the label"));
            for (int i = 1; i < values.Length; i++)
            {
                pixels.Add(Parse(values[i], 255, name, lineNumber, $"pixel {i - 1}"));
            }
        }
        if (labels.Count == 0)
        {
            throw new InvalidDataException($"{name}: no digits found, expected lines of a label and 784 pixels");
        }
        return new MnistSplit([.. pixels], [.. labels]);
    }

    /// <summary>Writes digits in the same layout, with a header line.</summary>
    public static void Write(MnistSplit digits, TextWriter writer)
    {
        var line = new StringBuilder("label");
        for (int i = 0; i < Mnist.Pixels; i++)
        {
            line.Append(",pixel").Append(i);
        }
        writer.WriteLine(line);
        for (int n = 0; n < digits.Count; n++)
        {
            line.Clear().Append(digits.Labels[n]);
            foreach (byte value in digits.Pixels.AsSpan(n * Mnist.Pixels, Mnist.Pixels))
            {
                line.Append(',').Append(value);
            }
            writer.WriteLine(line);
        }
    }

    private static byte Parse(string text, int max, string name, int line, string what)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < 0 || value > max)
        {
            throw new InvalidDataException($"{name}, line {line}: {what} is \"{text}\", expected a whole number 0-{max}");
        }
        return (byte)value;
    }
}
