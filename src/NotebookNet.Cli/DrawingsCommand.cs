using System.CommandLine;
using NotebookNet.Digits;
using NotebookNet.Preprocessing;

namespace NotebookNet.Cli;

/// <summary>drawings: writes generated drawings of digits as a labelled folder.</summary>
public static class DrawingsCommand
{
    /// <summary>The folder written by default: under data/, which git ignores.</summary>
    public const string DefaultFolder = "data/drawings";

    /// <summary>The command.</summary>
    public static Command Create(CliContext context)
    {
        var count = Options.Whole("--count", 100, 1, 1_000_000, "How many drawings");
        var seed = Options.Seed(Reproduction.DrawingsSeed, "The seed of the drawings");
        var output = new Option<string>("--output") { Description = $"The folder to write DIR/<label>/<n>.png into (default {DefaultFolder})", DefaultValueFactory = _ => DefaultFolder, HelpName = "DIR" };
        var command = new Command("drawings", "Writes generated drawings of digits in handwriting fonts as DIR/<label>/<n>.png.") { count, seed, output };
        command.SetAction(parsed =>
        {
            string folder = parsed.GetValue(output)!;
            var generator = new DrawnDigits();
            IReadOnlyList<string> files = ImageFolder.Write(folder,
                generator.Generate(parsed.GetValue(count), parsed.GetValue(seed)).Select(digit => (digit.Label, digit.ToPng())));
            context.Output.WriteLine($"wrote {files.Count} drawings to {folder}/<label>/ in {generator.Fonts.Count} fonts: {string.Join(", ", generator.Fonts)}");
            return 0;
        });
        return command;
    }
}
