using NotebookNet.Preprocessing;
using NotebookNet.Tests.Preprocessing;

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
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["drawings", "--count", "30", "--seed", "9", "--output", drawings], written, new StringWriter()));
        Assert.Contains("wrote 30 drawings", written.ToString());

        string picture = ImageFolder.PictureFiles(drawings)[0];
        var one = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["predict", picture, "--model", model], one, new StringWriter()));
        Assert.Matches(@"with probability \d+\.\d ?%", one.ToString());
        Assert.Contains("top three: ", one.ToString());

        string csv = folder.File("out.csv");
        var table = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["predict", drawings, "--model", model, "--csv", csv], table, new StringWriter()));
        Assert.Contains("accuracy on the 30 labelled pictures", table.ToString());
        string[] lines = File.ReadAllLines(csv);
        Assert.Equal(31, lines.Length);
        Assert.StartsWith("file,label,digit,probability,second,third,p0,", lines[0]);
        Assert.EndsWith(",p9,problem", lines[0]);
        Assert.All(lines.Skip(1), line => Assert.Equal(17, line.Split(',').Length));
        Assert.All(table.ToString().Split('\n'), line => Assert.True(line.Length <= 100, line));

        // Several files at once, with a CSV file asked for.
        string[] two = ImageFolder.PictureFiles(drawings).Take(2).ToArray();
        var several = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["predict", two[0], two[1], "--model", model, "--csv", folder.File("two.csv")], several, new StringWriter()));
        Assert.Equal(3, File.ReadAllLines(folder.File("two.csv")).Length);

        // A blank picture keeps its reason in the CSV file, and an error stays out of the probability column.
        File.WriteAllBytes(Path.Combine(drawings, "blank.png"), ImageDecoder.EncodePng(Pictures.Rgba(60, 60, 255, 255, 255, 255), 60, 60));
        File.WriteAllText(Path.Combine(drawings, "broken.png"), "not a picture");
        var mixed = new StringWriter();
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["predict", drawings, "--model", model, "--csv", csv], mixed, new StringWriter()));
        string blankRow = File.ReadAllLines(csv).Single(line => line.StartsWith("blank.png,", StringComparison.Ordinal));
        Assert.Contains("no digit", blankRow);
        string brokenRow = File.ReadAllLines(csv).Single(line => line.StartsWith("broken.png,", StringComparison.Ordinal));
        Assert.Equal("", brokenRow.Split(',')[3]);
    }

    [Fact]
    public void PredictExplainsAMissingModelOrPicture()
    {
        using var folder = new TempFolder();
        var error = new StringWriter();
        Assert.Equal(1, NotebookNet.Cli.Cli.Run(["predict", folder.File("x.png"), "--model", folder.File("none.nnw")], new StringWriter(), error));
        Assert.Contains("none.nnw: no such model file", error.ToString());
        var usage = new StringWriter();
        Assert.Equal(2, NotebookNet.Cli.Cli.Run(["predict"], new StringWriter(), usage));
        Assert.Contains("PICTURE", usage.ToString());
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
        Assert.Equal(0, NotebookNet.Cli.Cli.Run(["reproduce", "--quick", "--recipes", "lenet5", "--drawings", "50"], output, new StringWriter()));
        string text = output.ToString();
        Assert.Contains("Quick mode", text);
        Assert.Contains("Generated drawings: 50 digits (seed 2026)", text);
        Assert.Matches(@"\| augmented training +\| \d+\.\d\d % +\| \d+\.\d\d % +\| \d+\.\d\d % +\| 95 % quick +\|", text);
        Assert.Matches(@"\| no augmentation +\| \d+\.\d\d %", text);
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 100, line));
    }
}
