using System.CommandLine;
using NotebookNet.Serialization;

namespace NotebookNet.Cli;

/// <summary>export: writes a saved model in a standard format another tool reads (ONNX).</summary>
public static class ExportCommand
{
    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new Argument<string>("MODEL") { Description = "The model file (.nnw)" };
        var onnx = new Option<string>("--onnx") { Description = "The ONNX file to write (IR 7, operator set 13), for ONNX Runtime, Netron or any ONNX tool", Required = true, HelpName = "FILE" };
        var softmax = new Option<bool>("--softmax") { Description = "End with a Softmax node: the output is probabilities instead of logits" };
        var force = new Option<bool>("--force") { Description = "Replace the ONNX file if it exists" };
        var command = new Command("export", "Writes a model as ONNX, with its input scaling and class names in the metadata.") { model, onnx, softmax, force };
        command.SetAction(parsed =>
        {
            string source = parsed.GetValue(model)!, target = parsed.GetValue(onnx)!;
            SavedModel saved = ModelFile.Load(source);
            ModelInput input = saved.Input
                ?? throw new InvalidDataException($"{source}: does not record its input (shape and scaling), which an ONNX model must state; train it again with this release");
            if (File.Exists(target) && !parsed.GetValue(force))
            {
                throw new IOException($"{target}: exists; give another --onnx, or --force to replace it");
            }
            ModelFile.ExportOnnx(saved.Model, input, target, parsed.GetValue(softmax));
            context.Output.WriteLine($"{target}: {saved.Model} as ONNX; input \"input\" (N, {string.Join(", ", input.Shape)}), pixels scaled {input.Scaling}; " +
                $"output \"{(parsed.GetValue(softmax) ? "probabilities" : "output")}\" (N, {input.ClassNames.Count}): {string.Join(" ", input.ClassNames)}");
            return 0;
        });
        return command;
    }
}
