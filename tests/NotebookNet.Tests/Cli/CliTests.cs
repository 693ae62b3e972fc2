using System.CommandLine;
using NotebookNet.Cli;

namespace NotebookNet.Tests.Cli;

[Collection("Console")]
public class CliTests
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = NotebookNet.Cli.Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("train")]
    [InlineData("train", "--recipe")]
    [InlineData("train", "--recipe", "w1", "--epochs", "zero")]
    [InlineData("train", "--recipe", "w1", "--learning-rate", "-1")]
    [InlineData("train", "--recipe", "lenet-9")]
    [InlineData("bench", "--workloads", "W9")]
    [InlineData("reproduce", "--colour", "blue")]
    [InlineData("predict")]
    public void WrongArgumentsGetOneLineAndTheCommandsHelpNotAStackTrace(params string[] args)
    {
        (int code, _, string error) = Run(args);
        Assert.Equal(2, code);
        string[] lines = error.Split('\n');
        Assert.StartsWith("notebooknet: ", lines[0]);
        Assert.DoesNotContain("notebooknet: ", string.Join('\n', lines.Skip(1)));
        Assert.Contains("Usage:", error);
        Assert.DoesNotContain("   at ", error);
        if (args[0] is "train" or "bench" or "reproduce")
        {
            // The help of that command, not the list of every command.
            Assert.Contains($" {args[0]} [options]", error);
            Assert.DoesNotContain("Commands:", error);
        }
    }

    [Theory]
    [InlineData("did you mean lenet5?", "train", "--recipe", "lenet6")]
    [InlineData("did you mean --epochs?", "train", "--recipe", "w1", "--epochz", "3")]
    [InlineData("did you mean reproduce?", "reproduse")]
    public void AMisspeltNameGetsASuggestion(string suggestion, params string[] args)
    {
        (int code, _, string error) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains(suggestion, error.Split('\n')[0]);
    }

    [Fact]
    public void EachCommandHasHelpAndTheToolAVersion()
    {
        foreach (Command command in NotebookNet.Cli.Cli.CreateRootCommand(new CliContext(TextWriter.Null, TextWriter.Null)).Subcommands)
        {
            (int code, string output, _) = Run(command.Name, "--help");
            Assert.Equal(0, code);
            Assert.Contains(command.Description!, output);
        }
        (int versionCode, string version, _) = Run("--version");
        Assert.Equal(0, versionCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
    }

    [Fact]
    public void EveryOptionTheHelpShowsIsAccepted()
    {
        // Parses each command with each of its options (and a value of the option's type): the hand-written parser
        // once refused the documented --data on every command, and nothing caught it.
        RootCommand root = NotebookNet.Cli.Cli.CreateRootCommand(new CliContext(TextWriter.Null, TextWriter.Null));
        int checkedOptions = 0;
        foreach (Command command in root.Subcommands)
        {
            string[] required = command.Arguments.Select(_ => "x.png").Concat(command.Options.Where(o => o.Required).SelectMany(o => new[] { o.Name, "w1" })).ToArray();
            foreach (Option option in command.Options.Where(o => !o.Required && o.Name is not ("--help" or "--version")))
            {
                string? value = option.ValueType == typeof(bool) ? null
                    : option.ValueType == typeof(int) || option.ValueType == typeof(int?) ? "1"
                    : option.ValueType == typeof(float?) ? "0.1"
                    : option.Name == "--workloads" ? "W1,W4a" : option.Name == "--dataset" ? "fashion" : "some/path";
                string[] args = [command.Name, .. required, option.Name, .. value is null ? Array.Empty<string>() : [value]];
                ParseResult parsed = root.Parse(args);
                Assert.True(parsed.Errors.Count == 0, $"{string.Join(' ', args)}: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
                checkedOptions++;
            }
        }
        Assert.True(checkedOptions >= 20, $"only {checkedOptions} options checked");
    }

    [Fact]
    public void AMissingOrDamagedModelFileIsReportedPlainly()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("bad.nnw"), "NNWT but not really");
        (int code, _, string error) = Run("evaluate", folder.File("bad.nnw"));
        Assert.Equal(1, code);
        Assert.Contains("bad.nnw", error);
        Assert.Equal(1, Run("evaluate", folder.File("missing.nnw")).Code);
    }

    [Fact]
    public void TrainRefusesAnEnsembleAnExistingModelAndAnUnwritablePathBeforeTraining()
    {
        using var folder = new TempFolder();
        (int ensembleCode, _, string ensemble) = Run("train", "--recipe", "best-cnn-x3", "--output", folder.File("x.nnw"));
        Assert.Equal(2, ensembleCode);
        Assert.Contains("ensemble of 3 networks", ensemble);

        File.WriteAllText(folder.File("kept.nnw"), "a good model");
        (int existsCode, _, string exists) = Run("train", "--recipe", "w1", "--output", folder.File("kept.nnw"));
        Assert.Equal(1, existsCode);
        Assert.Contains("--force", exists);
        Assert.Equal("a good model", File.ReadAllText(folder.File("kept.nnw")));

        File.WriteAllText(folder.File("file"), "");
        (int unwritableCode, _, string unwritable) = Run("train", "--recipe", "w1", "--output", Path.Combine(folder.File("file"), "under-a-file.nnw"));
        Assert.Equal(1, unwritableCode);
        Assert.Contains("cannot write there", unwritable);
    }

    [Fact]
    public void SpellingDistanceCountsEdits()
    {
        Assert.Equal(0, Spelling.Distance("lenet5", "lenet5"));
        Assert.Equal(1, Spelling.Distance("lenet6", "lenet5"));
        Assert.Equal(1, Spelling.Distance("--epochz", "--epochs"));
        Assert.Equal(2, Spelling.Distance("lenet", "lenet5x"));
        Assert.Null(Spelling.Closest("quantum", ["rashid", "lenet5"]));
    }
}

[Collection("Console")]
public class CliTrainingTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    [Fact]
    public void TrainSavesAModelThatEvaluateReads()
    {
        Assert.Equal(60_000, mnist.Train.Count);
        using var folder = new TempFolder();
        string model = folder.File("w1.nnw");
        var output = new StringWriter();
        int code = NotebookNet.Cli.Cli.Run(["train", "--recipe", "w1", "--epochs", "1", "--limit", "5000", "--output", model], output, new StringWriter());
        Assert.Equal(0, code);
        Assert.Contains("saved", output.ToString());
        var evaluation = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["evaluate", model], evaluation, new StringWriter()));
        Assert.Contains("test accuracy:", evaluation.ToString());
        Assert.Contains("actual\\pred", evaluation.ToString());
    }

    [Fact]
    public void TrainFineTunesAModelOnAFolderOfDigitsAndSaysWhatItKept()
    {
        using var folder = new TempFolder();
        string model = folder.File("w1.nnw"), tuned = folder.File("tuned.nnw");
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["train", "--recipe", "w1", "--epochs", "1", "--limit", "3000", "--output", model], new StringWriter(), new StringWriter()));
        string digits = folder.File("my-digits");
        NotebookNet.Preprocessing.ImageFolder.Write(digits, new NotebookNet.Digits.DrawnDigits().Generate(40, seed: 5).Select(d => (d.Label, d.ToPng())));
        var output = new StringWriter();
        int code = NotebookNet.Cli.Cli.Run(["train", "--recipe", "w1", "--fine-tune", model, "--extra", digits, "--output", tuned], output, new StringWriter());
        Assert.Equal(0, code);
        Assert.Contains("40 of your digits", output.ToString());
        Assert.Matches(@"MNIST test set: \d+\.\d+ % → \d+\.\d+ %; your digits \(the ones it trained on\): ", output.ToString());
        Assert.Equal("w1.nnw", NotebookNet.Serialization.ModelFile.Load(tuned).Metadata["fine-tuned-from"]);

        var error = new StringWriter();
        Assert.Equal(2, NotebookNet.Cli.Cli.Run(["train", "--recipe", "w1", "--fine-tune", model, "--output", folder.File("x.nnw")], new StringWriter(), error));
        Assert.Contains("--extra", error.ToString());
        error = new StringWriter();
        Assert.Equal(1, NotebookNet.Cli.Cli.Run(["train", "--recipe", "lenet5", "--fine-tune", model, "--extra", digits, "--output", folder.File("y.nnw")], new StringWriter(), error));
        Assert.Contains("is not what recipe lenet5 trains", error.ToString());
    }

    [Fact]
    public void TrainHoldsOutAValidationSetAndStopsEarlyOnlyWithOne()
    {
        using var folder = new TempFolder();
        var output = new StringWriter();
        int code = NotebookNet.Cli.Cli.Run(["train", "--recipe", "w1", "--epochs", "3", "--limit", "3000", "--validation", "1000",
            "--early-stopping", "1", "--output", folder.File("v.nnw")], output, new StringWriter());
        Assert.Equal(0, code);
        Assert.Contains("valid.", output.ToString());
        Assert.Matches("(best validation accuracy in epoch|stopped early: validation accuracy last improved in epoch) [1-3]", output.ToString());

        var error = new StringWriter();
        Assert.NotEqual(0, NotebookNet.Cli.Cli.Run(["train", "--recipe", "w1", "--early-stopping", "2", "--output", folder.File("e.nnw")], new StringWriter(), error));
        Assert.Contains("--validation", error.ToString());
    }

    [Fact]
    public void EpochsOverrideAScheduledRecipeAndTheScheduleStillAnneals()
    {
        using var folder = new TempFolder();
        var output = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["train", "--recipe", "mlp256", "--epochs", "2", "--limit", "500", "--output", folder.File("m.nnw")],
            output, new StringWriter()));
        // Cosine over two epochs: the base rate 0.05, then half of it (over 15 epochs the second would be 0.0495).
        string[] rows = output.ToString().Split('\n').Where(line => line.TrimStart().StartsWith('1') || line.TrimStart().StartsWith('2')).ToArray();
        Assert.Contains(" 0.05 ", rows[0]);
        Assert.Contains(" 0.025 ", rows[1]);
    }

    [Fact]
    public void AConvolutionalModelTrainsAndEvaluatesWithItsInputShape()
    {
        using var folder = new TempFolder();
        string model = folder.File("cnn.nnw");
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["train", "--recipe", "small-cnn", "--limit", "2000", "--output", model], new StringWriter(), new StringWriter()));
        var evaluation = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["evaluate", model], evaluation, new StringWriter()));
        Assert.Contains("Conv2d(inChannels: 1, outChannels: 8, kernelSize: 5, stride: 1, padding: 0, bias: true)", evaluation.ToString());
        Assert.Matches(@"test accuracy: (8\d|9\d)\.\d\d ?%", evaluation.ToString());
    }

    [Fact]
    public void BenchTakesDataAndTheWorkloadNamesItShowsAndKeepsStandardOutputJson()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string data = NotebookNet.Data.Mnist.Locate();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["bench", "--workloads", "W4b,W5", "--runs", "1", "--json", "--data", data], output, error));
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, line => Assert.StartsWith("{\"workload\":", line));
        Assert.Contains("W4b", error.ToString());
        Assert.All(lines, line => Assert.Contains("\"skipZeros\":true", line));
    }
}

/// <summary>bench --dense switches MatMul.SkipZeros, a setting of the whole process: it runs apart from the other tests of the setting.</summary>
[Collection(nameof(NotebookNet.Tests.Tensors.MatMulSettings))]
public class BenchDenseTests
{
    [Fact]
    public void BenchDenseMultipliesTheZerosAndSaysSo()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        string data = NotebookNet.Data.Mnist.Locate();
        try
        {
            Assert.Equal(0, NotebookNet.Cli.Cli.Run(["bench", "--workloads", "W4a", "--runs", "1", "--json", "--dense", "--data", data], output, error));
            Assert.False(NotebookNet.Tensors.MatMul.SkipZeros);
        }
        finally
        {
            NotebookNet.Tensors.MatMul.SkipZeros = true;
        }
        Assert.Contains("\"skipZeros\":false", output.ToString());
        Assert.Contains("dense (zeros multiplied)", error.ToString());
    }
}

[CollectionDefinition("Console", DisableParallelization = true)]
public class ConsoleCollection;
