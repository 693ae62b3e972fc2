using System.CommandLine;
using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Training;

namespace NotebookNet.Cli;

/// <summary>evaluate: test accuracy, per-class accuracy and confusion matrix of a saved model.</summary>
public static class EvaluateCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The model file (.nnw)" };
        var data = Options.Data();
        var command = new Command("evaluate", "Test accuracy, per-class accuracy and confusion matrix of a saved model.") { model, data };
        command.SetAction(parsed =>
        {
            DigitClassifier classifier = DigitClassifier.Load(parsed.GetValue(model)!);
            var (_, testSplit) = context.LoadMnist(parsed.GetValue(data));
            Dataset test = testSplit.ToDataset(classifier.Scaling).Reshape(classifier.InputShape);
            ConfusionMatrix confusion = Evaluation.Confusion(classifier.Model, test);
            context.Output.WriteLine($"model: {classifier.Model} ({classifier.Model.ParameterCount:N0} parameters, inputs scaled {classifier.Scaling})");
            context.Output.WriteLine($"test accuracy: {confusion.Accuracy:P2} ({confusion.Total} images)");
            context.Output.WriteLine();
            context.Output.Write(confusion.ToString());
            return 0;
        });
        return command;
    }
}
