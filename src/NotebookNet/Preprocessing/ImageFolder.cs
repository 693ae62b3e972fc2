using NotebookNet.Data;

namespace NotebookNet.Preprocessing;

/// <summary>
/// Pictures of digits read from a folder and made MNIST-style: <see cref="Digits"/> holds the ones found, in file
/// order; <see cref="Files"/> names each; <see cref="NotFound"/> lists pictures in which no digit was found.
/// </summary>
public sealed record ImageFolderContents(MnistSplit Digits, IReadOnlyList<string> Files, IReadOnlyList<(string File, string Problem)> NotFound);

/// <summary>
/// Loads folders of labelled pictures laid out as <c>&lt;label&gt;/&lt;file&gt;.png</c> (labels 0–9; PNG, JPEG, BMP,
/// GIF or WebP), each run through a <see cref="DigitPreprocessor"/>.
/// </summary>
public static class ImageFolder
{
    /// <summary>The file extensions read as pictures.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>Every picture file under <paramref name="folder"/>, sorted by path.</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such folder.</exception>
    public static IReadOnlyList<string> PictureFiles(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"{folder}: no such folder");
        }
        return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(file => Extensions.Contains(Path.GetExtension(file).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>
    /// Loads <c>&lt;folder&gt;/&lt;label&gt;/*.png</c>. With <paramref name="preprocess"/> false each picture is only
    /// made white on black and squeezed into 28×28 (<see cref="DigitPreprocessor.ResizeOnly"/>), to compare.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">There is no such folder.</exception>
    /// <exception cref="InvalidDataException">A picture lies outside a 0–9 folder, or a file is not an image; the message names it.</exception>
    public static ImageFolderContents Load(string folder, DigitPreprocessor? preprocessor = null, bool preprocess = true)
    {
        preprocessor ??= new DigitPreprocessor();
        var pixels = new List<byte>();
        var labels = new List<byte>();
        var files = new List<string>();
        var notFound = new List<(string, string)>();
        foreach (string file in PictureFiles(folder))
        {
            string parent = Path.GetFileName(Path.GetDirectoryName(file)) ?? "";
            if (parent.Length != 1 || parent[0] < '0' || parent[0] > '9')
            {
                throw new InvalidDataException($"{file}: pictures must sit in folders named for their label, 0 to 9 (<label>/<file>.png)");
            }
            GrayImage picture = ImageDecoder.Load(file);
            GrayImage digit;
            if (preprocess)
            {
                PreprocessedDigit result = preprocessor.Process(picture);
                if (!result.Found)
                {
                    notFound.Add((file, result.Problem ?? "no digit found"));
                    continue;
                }
                digit = result.Image;
            }
            else
            {
                digit = preprocessor.ResizeOnly(picture);
            }
            pixels.AddRange(digit.ToBytes());
            labels.Add((byte)(parent[0] - '0'));
            files.Add(file);
        }
        return new ImageFolderContents(new MnistSplit([.. pixels], [.. labels]), files, notFound);
    }

    /// <summary>
    /// Writes labelled PNG pictures as <c>&lt;folder&gt;/&lt;label&gt;/&lt;number&gt;.png</c>, each atomically;
    /// returns the files written.
    /// </summary>
    public static IReadOnlyList<string> Write(string folder, IEnumerable<(int Label, byte[] Png)> pictures)
    {
        var files = new List<string>();
        int number = 0;
        foreach ((int label, byte[] png) in pictures)
        {
            string file = Path.Combine(folder, label.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{number++:D5}.png");
            AtomicFile.Write(file, stream => stream.Write(png));
            files.Add(file);
        }
        return files;
    }
}
