using System.Globalization;
using System.Text;
using NotebookNet.Digits;
using NotebookNet.Preprocessing;
using NotebookNet.Training;

namespace NotebookNet.Cli;

/// <summary>The predict command: pictures in, digits out.</summary>
public static class Predict
{
    /// <summary>The model used when --model is not given: what <c>train --recipe lenet5</c> writes.</summary>
    public const string DefaultModel = "models/lenet5.nnw";

    /// <summary>
    /// For one picture: the digit, its probability and the top three. For a folder: a table of every picture and a CSV
    /// file (default predictions.csv); pictures in <c>&lt;label&gt;/</c> folders also give an accuracy.
    /// </summary>
    public static int Run(Arguments arguments, TextWriter output)
    {
        string target = arguments.Positional.FirstOrDefault() ?? throw new UsageException("predict needs an image file or a folder");
        string modelPath = arguments.Text("model") ?? DefaultModel;
        string csvPath = arguments.Text("csv") ?? "predictions.csv";
        arguments.RejectUnknown(1);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException(arguments.Text("model") is null
                ? $"{modelPath}: no model file; train one first (dotnet run -c Release --project src/NotebookNet.Cli -- train --recipe lenet5) or pass --model FILE"
                : $"{modelPath}: no such model file", modelPath);
        }
        DigitClassifier classifier = DigitClassifier.Load(modelPath);

        if (!Directory.Exists(target))
        {
            Prediction prediction = classifier.Predict(target);
            if (!prediction.Found)
            {
                output.WriteLine($"{target}: no digit found ({prediction.Input.Problem})");
                return 1;
            }
            output.WriteLine($"{target}: {prediction.Digit} with probability {prediction.Probability.ToString("P1", CultureInfo.InvariantCulture)}");
            output.WriteLine("top three: " + string.Join(", ",
                prediction.Top(3).Select(top => $"{top.Digit} ({top.Probability.ToString("P1", CultureInfo.InvariantCulture)})")));
            return 0;
        }

        IReadOnlyList<string> files = ImageFolder.PictureFiles(target);
        if (files.Count == 0)
        {
            throw new InvalidDataException($"{target}: no pictures ({string.Join(", ", ImageFolder.Extensions)}) in this folder");
        }
        var rows = new List<string[]>();
        var csv = new StringBuilder("file,label,digit,probability,second,third," + string.Join(',', Enumerable.Range(0, 10).Select(d => $"p{d}")) + "\n");
        int labelled = 0, right = 0;
        foreach (string file in files)
        {
            string relative = Path.GetRelativePath(target, file);
            string parent = Path.GetFileName(Path.GetDirectoryName(file)) ?? "";
            string label = parent.Length == 1 && char.IsAsciiDigit(parent[0]) ? parent : "";
            Prediction prediction;
            try
            {
                prediction = classifier.Predict(file);
            }
            catch (InvalidDataException error)
            {
                rows.Add([relative, label, "error", error.Message, ""]);
                csv.AppendLine($"{Quote(relative)},{label},,,,,{new string(',', 9)}");
                continue;
            }
            var top = prediction.Top(3);
            string digit = prediction.Found ? prediction.Digit.ToString(CultureInfo.InvariantCulture) : "none";
            if (label.Length == 1)
            {
                labelled++;
                right += digit == label ? 1 : 0;
            }
            rows.Add([relative, label, digit,
                prediction.Found ? prediction.Probability.ToString("P1", CultureInfo.InvariantCulture) : prediction.Input.Problem ?? "",
                prediction.Found ? string.Join(" ", top.Skip(1).Select(t => $"{t.Digit}:{t.Probability.ToString("P0", CultureInfo.InvariantCulture)}")) : ""]);
            csv.Append(Quote(relative)).Append(',').Append(label).Append(',').Append(prediction.Found ? digit : "").Append(',')
                .Append(prediction.Found ? prediction.Probability.ToString("0.####", CultureInfo.InvariantCulture) : "").Append(',')
                .Append(prediction.Found ? top[1].Digit.ToString(CultureInfo.InvariantCulture) : "").Append(',')
                .Append(prediction.Found ? top[2].Digit.ToString(CultureInfo.InvariantCulture) : "");
            foreach (float probability in prediction.Probabilities)
            {
                csv.Append(',').Append(prediction.Found ? probability.ToString("0.####", CultureInfo.InvariantCulture) : "");
            }
            csv.AppendLine();
        }
        output.Write(Table.Render(["file", "label", "digit", "probability", "next"], rows));
        if (labelled > 0)
        {
            output.WriteLine($"accuracy on the {labelled} labelled pictures: {((float)right / labelled).ToString("P2", CultureInfo.InvariantCulture)}");
        }
        string temporary = csvPath + ".tmp";
        File.WriteAllText(temporary, csv.ToString());
        File.Move(temporary, csvPath, overwrite: true);
        output.WriteLine($"wrote {csvPath} ({files.Count} pictures)");
        return 0;
    }

    private static string Quote(string text) => text.Contains(',') || text.Contains('"') ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
}
