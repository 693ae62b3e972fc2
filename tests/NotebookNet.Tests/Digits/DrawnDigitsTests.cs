using NotebookNet.Data;
using NotebookNet.Digits;
using NotebookNet.Preprocessing;
using NotebookNet.Tensors;

namespace NotebookNet.Tests.Digits;

public class DrawnDigitsTests
{
    [Fact]
    public void TheSameSeedDrawsTheSameDigits()
    {
        var generator = new DrawnDigits();
        DrawnDigit[] a = generator.Generate(12, seed: 4).ToArray(), b = generator.Generate(12, seed: 4).ToArray();
        DrawnDigit c = generator.Generate(1, seed: 5).Single();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i % 10), a.Select(d => d.Label));
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i].Rgba, b[i].Rgba);
            Assert.Equal(a[i].Description, b[i].Description);
        }
        Assert.NotEqual(a[0].Rgba, c.Rgba);
    }

    [Fact]
    public void UsesSeveralHandwritingFontsAndVariesTheCanvas()
    {
        var generator = new DrawnDigits();
        // CI installs the Debian packages (.ci/run); all the known fonts should be there.
        Assert.True(generator.Fonts.Count >= 10, $"only {generator.Fonts.Count} fonts: install {DrawnDigits.Packages}");
        DrawnDigit[] digits = generator.Generate(60, seed: 1).ToArray();
        Assert.True(digits.Select(d => d.Font).Distinct().Count() >= 6);
        Assert.True(digits.Select(d => d.Width).Distinct().Count() > 30);
        Assert.Contains(digits, d => d.Description.Contains("transparent"));
        Assert.Contains(digits, d => d.Description.Contains("dark paper"));
    }

    [Fact]
    public void EveryDrawingHoldsADigitThePipelineFinds()
    {
        var preprocessor = new DigitPreprocessor();
        foreach (DrawnDigit digit in new DrawnDigits().Generate(50, seed: 2))
        {
            PreprocessedDigit result = preprocessor.Process(digit.ToGray());
            Assert.True(result.Found, $"{digit.Label}: {digit.Description}: {result.Problem}");
        }
    }

    [Fact]
    public void WithoutFontsTheErrorSaysWhatToInstall()
    {
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => new DrawnDigits([]));
        Assert.Contains("apt-get install fonts-humor-sans", error.Message);
        using var folder = new TempFolder();
        string notAFont = folder.File("font.ttf");
        File.WriteAllText(notAFont, "not a font");
        Assert.Contains("font.ttf", Assert.Throws<InvalidDataException>(() => new DrawnDigits([notAFont])).Message);
    }

    [Fact]
    public void FolderOfDrawingsLoadsWithItsLabels()
    {
        using var folder = new TempFolder();
        IReadOnlyList<string> files = ImageFolder.Write(folder.Path, new DrawnDigits().Generate(20, seed: 3).Select(d => (d.Label, d.ToPng())));
        Assert.Equal(20, files.Count);
        ImageFolderContents contents = ImageFolder.Load(folder.Path);
        Assert.Equal(20, contents.Digits.Count + contents.NotFound.Count);
        Assert.Equal(contents.Files.Select(f => (byte)(Path.GetFileName(Path.GetDirectoryName(f))![0] - '0')), contents.Digits.Labels);
        Assert.Equal(2, contents.Digits.Labels.Count(label => label == 7));

        ImageFolderContents squeezed = ImageFolder.Load(folder.Path, preprocess: false);
        Assert.Equal(20, squeezed.Digits.Count);

        File.WriteAllBytes(Path.Combine(folder.Path, "stray.png"), files.Select(File.ReadAllBytes).First());
        Assert.Contains("stray.png", Assert.Throws<InvalidDataException>(() => ImageFolder.Load(folder.Path)).Message);
    }
}

public class FontPackagesTests
{
    [Fact]
    public void CiInstallsEveryFontPackage()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "NotebookNet.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("repository root not found");
        }
        // One list: .ci/run installs the packages it reads from the library's HandwritingFonts.tsv, README and
        // environment.md name each of them for readers.
        string ci = File.ReadAllText(Path.Combine(root, ".ci", "run"));
        Assert.Contains("src/NotebookNet/Digits/HandwritingFonts.tsv", ci);
        Assert.Equal(10, DrawnDigits.KnownFonts.Count);
        string environment = File.ReadAllText(Path.Combine(root, "environment.md"));
        string readme = File.ReadAllText(Path.Combine(root, "README.md"));
        foreach (string package in DrawnDigits.Packages.Split(' '))
        {
            Assert.Contains(package, environment);
            Assert.Contains(package, readme);
        }
    }
}
