using NotebookNet.Cli;

namespace NotebookNet.Tests.Cli;

[Collection("Console")]
public class CliTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        TextWriter oldError = Console.Error;
        var error = new StringWriter();
        Console.SetError(error);
        try
        {
            int code = NotebookNet.Cli.Cli.Run(args, new StringWriter());
            return (code, error.ToString());
        }
        finally
        {
            Console.SetError(oldError);
        }
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("train")]
    [InlineData("train", "--recipe")]
    [InlineData("train", "--recipe", "w1", "--epochs", "zero")]
    [InlineData("train", "--recipe", "w1", "--learning-rate", "-1")]
    [InlineData("bench", "--workloads", "W9")]
    [InlineData("reproduce", "--colour", "blue")]
    public void WrongArgumentsGetUsageNotAStackTrace(params string[] args)
    {
        (int code, string error) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("usage: notebooknet", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void AnUnknownRecipeListsTheKnownOnes()
    {
        (int code, string error) = Run("train", "--recipe", "lenet-9");
        Assert.Equal(1, code);
        Assert.Contains("rashid", error);
    }

    [Fact]
    public void AMissingOrDamagedModelFileIsReportedPlainly()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("bad.nnw"), "NNWT but not really");
        (int code, string error) = Run("evaluate", folder.File("bad.nnw"));
        Assert.Equal(1, code);
        Assert.Contains("bad.nnw", error);
        Assert.Equal(1, Run("evaluate", folder.File("missing.nnw")).Code);
    }

    [Fact]
    public void ArgumentsParseOptionsFlagsAndPositionals()
    {
        var arguments = new Arguments(["model.nnw", "--epochs", "3", "--quick", "--seed=4"], "quick");
        Assert.Equal(3, arguments.Int("epochs"));
        Assert.Equal(4, arguments.Int("seed"));
        Assert.True(arguments.Flag("quick"));
        Assert.Equal(["model.nnw"], arguments.Positional);
        arguments.RejectUnknown(1);
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
        int code = NotebookNet.Cli.Cli.Run(["train", "--recipe", "w1", "--epochs", "1", "--limit", "5000", "--output", model], output);
        Assert.Equal(0, code);
        Assert.Contains("saved", output.ToString());
        var evaluation = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["evaluate", model], evaluation));
        Assert.Contains("test accuracy:", evaluation.ToString());
        Assert.Contains("actual\\pred", evaluation.ToString());
    }

    [Fact]
    public void AConvolutionalModelTrainsAndEvaluatesWithItsInputShape()
    {
        using var folder = new TempFolder();
        string model = folder.File("cnn.nnw");
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["train", "--recipe", "seed-cnn", "--limit", "2000", "--output", model], new StringWriter()));
        var evaluation = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["evaluate", model], evaluation));
        Assert.Contains("Conv2d(inChannels: 1, outChannels: 8, kernelSize: 5, stride: 1, padding: 0, bias: true)", evaluation.ToString());
        Assert.Matches(@"test accuracy: (8\d|9\d)\.\d\d ?%", evaluation.ToString());
    }
}

[CollectionDefinition("Console", DisableParallelization = true)]
public class ConsoleCollection;
