using NotebookNet.Data;

namespace NotebookNet.Tests.Data;

public class DigitCsvTests(MnistFixture mnist) : IClassFixture<MnistFixture>
{
    [Fact]
    public void WriteThenReadGivesTheSameDigits()
    {
        var digits = new MnistSplit(mnist.Test.Pixels[..(5 * 784)], mnist.Test.Labels[..5]);
        var text = new StringWriter();
        DigitCsv.Write(digits, text);
        Assert.StartsWith("label,pixel0,pixel1,", text.ToString());
        MnistSplit read = DigitCsv.Read(new StringReader(text.ToString()));
        Assert.Equal(digits.Pixels, read.Pixels);
        Assert.Equal(digits.Labels, read.Labels);
    }

    [Fact]
    public void HeaderIsOptional()
    {
        string line = "3," + string.Join(',', Enumerable.Repeat("0", 783)) + ",255";
        MnistSplit read = DigitCsv.Read(new StringReader(line + "\n" + line + "\n"));
        Assert.Equal([3, 3], read.Labels);
        Assert.Equal(255, read.Pixels[783]);
    }

    [Theory]
    [InlineData("3,1,2,3", "line 2: 4 values, expected 785")]
    [InlineData("11,{pixels}", "line 2: the label is \"11\", expected a whole number 0-9")]
    [InlineData("1,256,{rest}", "line 2: pixel 0 is \"256\", expected a whole number 0-255")]
    [InlineData("1,x,{rest}", "line 2: pixel 0 is \"x\"")]
    public void BadLinesAreNamed(string line, string expected)
    {
        line = line.Replace("{pixels}", string.Join(',', Enumerable.Repeat("0", 784))).Replace("{rest}", string.Join(',', Enumerable.Repeat("0", 783)));
        var error = Assert.Throws<InvalidDataException>(() => DigitCsv.Read(new StringReader("label,pixels\n" + line), "digits.csv"));
        Assert.Contains("digits.csv, " + expected, error.Message);
    }

    [Fact]
    public void EmptyAndMissingFilesAreErrors()
    {
        Assert.Contains("no digits found", Assert.Throws<InvalidDataException>(() => DigitCsv.Read(new StringReader("label,pixel0\n"), "e.csv")).Message);
        Assert.Throws<FileNotFoundException>(() => DigitCsv.Load("/no/such/file.csv"));
    }

    [Fact]
    public void SplitRejectsMismatchedPixelsAndLabels()
    {
        Assert.Throws<ArgumentException>(() => new MnistSplit(new byte[784], [1, 2]));
        Assert.Contains("expected a digit 0-9", Assert.Throws<ArgumentException>(() => new MnistSplit(new byte[784], [10])).Message);
    }
}
