using System.CommandLine;
using System.Globalization;
using System.Text;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Preprocessing;

namespace NotebookNet.Cli;

/// <summary>predict: pictures in, digits out.</summary>
public static class PredictCommand
{
    /// <summary>The model used when --model is not given: what <c>train --recipe lenet5</c> writes.</summary>
    public const string DefaultModel = "models/lenet5.nnw";

    /// <summary>The CSV written for a folder when --csv is not given: under data/, which git ignores.</summary>
    public const string DefaultCsv = "data/predictions.csv";

    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var targets = new Argument<string[]>("PICTURE") { Description = "Picture files (PNG, JPEG, BMP, GIF, WebP) or folders of them; <label>/ folders give an accuracy", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string?>("--model") { Description = $"The model file (default {DefaultModel}; with --dataset fashion, models/lenet5-fashion.nnw)", HelpName = "FILE" };
        var dataSet = Options.DataSet();
        dataSet.Description = "Which default model: the one trained on this set (a model file records its set and class names). " + dataSet.Description;
        var csv = new Option<string?>("--csv") { Description = $"Write every prediction to this CSV file (default for a folder: {DefaultCsv})", HelpName = "FILE" };
        var command = new Command("predict", "The digit in each picture, its probability and the next likeliest; for several pictures a table and a CSV file.")
        {
            targets, model, csv, dataSet,
        };
        command.SetAction(parsed =>
        {
            string[] paths = parsed.GetValue(targets)!;
            ImageSet set = ImageSet.Find(parsed.GetValue(dataSet)!);
            string modelPath = parsed.GetValue(model) ?? (set == ImageSet.Mnist ? DefaultModel : $"models/lenet5-{set.Key}.nnw");
            if (!File.Exists(modelPath))
            {
                throw new FileNotFoundException(parsed.GetValue(model) is null
                    ? $"{modelPath}: no model file; train one first (notebooknet train --recipe lenet5{(set == ImageSet.Mnist ? "" : " --dataset " + set.Key)}) or pass --model FILE"
                    : $"{modelPath}: no such model file", modelPath);
            }
            DigitClassifier classifier = DigitClassifier.Load(modelPath);
            if (parsed.GetResult(dataSet) is { Implicit: false } && classifier.Input.Dataset != set.Name)
            {
                throw new UsageException($"{modelPath} was trained on {classifier.Input.Dataset}, not {set.Name}: pass a {set.Name} model with --model, or leave --dataset out");
            }
            var pictures = new List<(string File, string Shown, string Label)>();
            foreach (string path in paths)
            {
                if (Directory.Exists(path))
                {
                    IReadOnlyList<string> files = ImageFolder.PictureFiles(path);
                    if (files.Count == 0)
                    {
                        throw new InvalidDataException($"{path}: no pictures ({string.Join(", ", ImageFolder.Extensions)}) in this folder");
                    }
                    pictures.AddRange(files.Select(file => (file, Path.GetRelativePath(path, file), LabelOf(file))));
                }
                else
                {
                    pictures.Add((path, path, ""));
                }
            }
            string? csvPath = parsed.GetValue(csv) ?? (paths.Any(Directory.Exists) ? DefaultCsv : null);
            if (pictures.Count == 1 && csvPath is null)
            {
                return PredictOne(context, classifier, pictures[0].File);
            }
            PredictMany(context, classifier, pictures, csvPath);
            return 0;
        });
        return command;
    }

    private static int PredictOne(CliContext context, DigitClassifier classifier, string file)
    {
        Prediction prediction = classifier.Predict(file);
        if (!prediction.Found)
        {
            context.Output.WriteLine($"{file}: no digit found ({prediction.Input.Problem})");
            return 1;
        }
        context.Output.WriteLine($"{file}: {classifier.ClassName(prediction.Digit)} with probability {Percent(prediction.Probability, "P1")}");
        context.Output.WriteLine("top three: " + string.Join(", ", prediction.Top(3).Select(top => $"{classifier.ClassName(top.Digit)} ({Percent(top.Probability, "P1")})")));
        return 0;
    }

    private static void PredictMany(CliContext context, DigitClassifier classifier, List<(string File, string Shown, string Label)> pictures, string? csvPath)
    {
        var table = CliContext.Table("picture", "label", classifier.Input.Dataset == ImageSet.Mnist.Name ? "digit" : "class", "probability", "next", "note");
        var csv = new StringBuilder("file,label,digit,probability,second,third," + string.Join(',', Enumerable.Range(0, 10).Select(d => $"p{d}")) + ",problem\n");
        int labelled = 0, right = 0;
        foreach ((string file, string shown, string label) in pictures)
        {
            Prediction? prediction = null;
            string problem;
            try
            {
                prediction = classifier.Predict(file);
                problem = prediction.Found ? "" : $"no digit: {prediction.Input.Problem}";
            }
            catch (Exception error) when (error is InvalidDataException or FileNotFoundException)
            {
                problem = error.Message;
            }
            bool found = prediction?.Found == true;
            string digit = found ? prediction!.Digit.ToString(CultureInfo.InvariantCulture) : "";
            string shownClass = found ? classifier.ClassName(prediction!.Digit) : "-";
            if (label.Length == 1)
            {
                labelled++;
                right += digit == label ? 1 : 0;
            }
            var top = found ? prediction!.Top(3) : [];
            CliContext.AddRow(table, shown, label, shownClass, found ? Percent(prediction!.Probability, "P1") : "",
                string.Join(" ", top.Skip(1).Select(t => $"{classifier.ClassName(t.Digit)}:{Percent(t.Probability, "P0")}")), problem);
            csv.Append(Quote(shown)).Append(',').Append(label).Append(',').Append(digit).Append(',')
                .Append(found ? prediction!.Probability.ToString("0.####", CultureInfo.InvariantCulture) : "").Append(',')
                .Append(found ? top[1].Digit.ToString(CultureInfo.InvariantCulture) : "").Append(',')
                .Append(found ? top[2].Digit.ToString(CultureInfo.InvariantCulture) : "");
            for (int d = 0; d < 10; d++)
            {
                csv.Append(',').Append(found ? prediction!.Probabilities[d].ToString("0.####", CultureInfo.InvariantCulture) : "");
            }
            csv.Append(',').Append(Quote(problem)).Append('\n');
        }
        context.Write(table);
        if (labelled > 0)
        {
            context.Output.WriteLine($"accuracy on the {labelled} labelled pictures: {Percent((float)right / labelled, "P2")}");
        }
        if (csvPath is not null)
        {
            AtomicFile.WriteAllText(csvPath, csv.ToString());
            context.Output.WriteLine($"wrote {csvPath} ({pictures.Count} pictures)");
        }
    }

    /// <summary>The label a picture's folder gives it: "7" for <c>…/7/x.png</c>, else empty.</summary>
    private static string LabelOf(string file)
    {
        string parent = Path.GetFileName(Path.GetDirectoryName(file)) ?? "";
        return parent.Length == 1 && char.IsAsciiDigit(parent[0]) ? parent : "";
    }

    private static string Percent(float value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Quote(string text) =>
        text.Contains(',') || text.Contains('"') || text.Contains('\n') ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
}
