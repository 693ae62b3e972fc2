using NotebookNet.Preprocessing;

namespace NotebookNet.Tests.Cli;

[Collection("Console")]
public class PredictTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    [Fact]
    public void PredictReadsAPictureAndAFolderOfThem()
    {
        Assert.Equal(10_000, mnist.Test.Count); // MNIST is there for train
        using var folder = new TempFolder();
        string model = folder.File("w1.nnw");
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["train", "--recipe", "w1", "--epochs", "2", "--limit", "10000", "--output", model], new StringWriter()));

        string drawings = Path.Combine(folder.Path, "drawings");
        var written = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["drawings", "--count", "30", "--seed", "9", "--output", drawings], written));
        Assert.Contains("wrote 30 drawings", written.ToString());

        string picture = ImageFolder.PictureFiles(drawings)[0];
        var one = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["predict", picture, "--model", model], one));
        Assert.Matches(@"with probability \d+\.\d ?%", one.ToString());
        Assert.Contains("top three: ", one.ToString());

        string csv = folder.File("out.csv");
        var table = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["predict", drawings, "--model", model, "--csv", csv], table));
        Assert.Contains("accuracy on the 30 labelled pictures", table.ToString());
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(31, lines.Length);
        Assert.StartsWith("file,label,digit,probability,second,third,p0,", lines[0]);
        Assert.All(lines.Skip(1), line => Assert.Equal(16, line.Split(',').Length));
    }

    [Fact]
    public void PredictExplainsAMissingModelOrPicture()
    {
        using var folder = new TempFolder();
        var error = new StringWriter();
        TextWriter saved = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(1, NotebookNet.Cli.Cli.Run(["predict", folder.File("x.png"), "--model", folder.File("none.nnw")], new StringWriter()));
            Assert.Contains("none.nnw: no such model file", error.ToString());
            Assert.Equal(2, NotebookNet.Cli.Cli.Run(["predict"], new StringWriter()));
            Assert.Contains("predict needs an image file or a folder", error.ToString());
        }
        finally
        {
            Console.SetError(saved);
        }
    }
}

[Collection("Console")]
public class ReproduceTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    [Fact]
    public void QuickReproduceGradesLeNetOnDrawings()
    {
        Assert.Equal(60_000, mnist.Train.Count);
        var output = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["reproduce", "--quick", "--recipes", "lenet5", "--drawings", "50"], output));
        string text = output.ToString();
        Assert.Contains("Quick mode", text);
        Assert.Contains("Generated drawings: 50 digits (seed 2026)", text);
        Assert.Matches(@"lenet5, augmented training \| \d+\.\d\d % +\| \d+\.\d\d % +\| \d+\.\d\d % +\| 95 % quick", text);
        Assert.Matches(@"lenet5, no augmentation +\| \d+\.\d\d %", text);
    }
}
