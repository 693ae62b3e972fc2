using System.CommandLine;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Training;

namespace NotebookNet.Cli;

/// <summary>evaluate: test accuracy, per-class accuracy and confusion matrix of a saved model, on the set it was trained on.</summary>
public static class EvaluateCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The model file (.nnw)" };
        var dataSet = Options.DataSet();
        dataSet.Description = "The test set: the one the model was trained on (recorded in its file) unless named: " + dataSet.Description;
        var data = Options.Data();
        var command = new Command("evaluate", "Test accuracy, per-class accuracy and confusion matrix of a saved model.") { model, dataSet, data };
        command.SetAction(parsed =>
        {
            string path = parsed.GetValue(model)!;
            DigitClassifier classifier = DigitClassifier.Load(path);
            ImageSet trainedOn = ImageSet.All.FirstOrDefault(set => set.Name == classifier.Input.Dataset) ?? ImageSet.Mnist;
            ImageSet set = parsed.GetResult(dataSet) is { Implicit: false } ? ImageSet.Find(parsed.GetValue(dataSet)!) : trainedOn;
            if (set != trainedOn)
            {
                throw new UsageException($"{path} was trained on {trainedOn.Name}, whose classes are not {set.Name}'s: evaluate it with --dataset {trainedOn.Key}, or leave --dataset out");
            }
            var (_, testSplit) = context.Load(set, parsed.GetValue(data));
            Dataset test = testSplit.ToDataset(classifier.Scaling).Reshape(classifier.InputShape);
            ConfusionMatrix confusion = Evaluation.Confusion(classifier.Model, test);
            context.Output.WriteLine($"model: {classifier.Model} ({classifier.Model.ParameterCount:N0} parameters, inputs scaled {classifier.Scaling})");
            context.Output.WriteLine($"{set.Name} test accuracy: {confusion.Accuracy:P2} ({confusion.Total} images)");
            context.Output.WriteLine();
            context.Output.Write(confusion.ToString());
            if (set != ImageSet.Mnist)
            {
                context.Output.WriteLine("classes: " + string.Join(", ", classifier.Input.ClassNames.Select((name, label) => $"{label} {name}")));
            }
            return 0;
        });
        return command;
    }
}
