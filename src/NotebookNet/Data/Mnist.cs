using System.Security.Cryptography;
using NotebookNet.Tensors;

namespace NotebookNet.Data;

/// <summary>How MNIST's bytes 0..255 become network inputs.</summary>
public enum PixelScaling
{
    /// <summary>x/255, in [0, 1].</summary>
    ZeroToOne,

    /// <summary>x/255·0.99 + 0.01, in [0.01, 1] (Rashid: a zero input would stop its weight learning).</summary>
    Rashid,

    /// <summary>(x/255 − 0.1307)/0.3081: zero mean and unit variance over the training set.</summary>
    Standardized,
}

/// <summary>One of MNIST's four files and the SHA-256 of its decompressed bytes.</summary>
public sealed record MnistFile(string Name, long Length, string Sha256);

/// <summary>
/// One split of MNIST as stored — 28×28 bytes per image, a byte label per image — or any set of digits in that
/// layout (loaded from a CSV file or a folder of pictures, or generated).
/// </summary>
public sealed class MnistSplit
{
    /// <summary>Digits in MNIST's layout: 784 bytes an image (0 = background, 255 = ink) and a label 0–9 each.</summary>
    /// <exception cref="ArgumentException">The pixel count is not 784 per label, or a label is above 9.</exception>
    public MnistSplit(byte[] pixels, byte[] labels)
    {
        if (pixels.Length != (long)labels.Length * Mnist.Pixels)
        {
            throw new ArgumentException($"{labels.Length} labels need {(long)labels.Length * Mnist.Pixels} pixels (784 each), got {pixels.Length}");
        }
        int wrong = Array.FindIndex(labels, label => label > 9);
        if (wrong >= 0)
        {
            throw new ArgumentException($"label {wrong} is {labels[wrong]}, expected a digit 0-9");
        }
        Pixels = pixels;
        Labels = labels;
    }

    /// <summary>Row-major pixels, 784 per image, 0 = background, 255 = ink.</summary>
    public byte[] Pixels { get; }

    /// <summary>The digit of each image.</summary>
    public byte[] Labels { get; }

    /// <summary>The number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>
    /// Splits off <paramref name="count"/> digits chosen at random by <paramref name="seed"/> — a validation set — and
    /// returns the rest for training, both in their original order. The same seed always holds out the same digits, so
    /// runs with different training seeds are compared on the same validation set. Introduced in notebook 04.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or leaves nothing to train on.</exception>
    public (MnistSplit Kept, MnistSplit HeldOut) HoldOut(int count, int seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(count, Count);
        int[] order = Enumerable.Range(0, Count).ToArray();
        new Rng(seed).Shuffle(order.AsSpan());
        var heldOut = new bool[Count];
        foreach (int index in order.AsSpan(0, count))
        {
            heldOut[index] = true;
        }
        return (Subset(Enumerable.Range(0, Count).Where(i => !heldOut[i])), Subset(Enumerable.Range(0, Count).Where(i => heldOut[i])));
    }

    /// <summary>The digits at <paramref name="indices"/>, in that order.</summary>
    public MnistSplit Subset(IEnumerable<int> indices)
    {
        int[] chosen = indices.ToArray();
        var pixels = new byte[(long)chosen.Length * Mnist.Pixels];
        var labels = new byte[chosen.Length];
        for (int i = 0; i < chosen.Length; i++)
        {
            Pixels.AsSpan(chosen[i] * Mnist.Pixels, Mnist.Pixels).CopyTo(pixels.AsSpan(i * Mnist.Pixels));
            labels[i] = Labels[chosen[i]];
        }
        return new MnistSplit(pixels, labels);
    }

    /// <summary>Bytes of floats from which <see cref="ToDataset"/> first returns the garbage's memory (<see cref="LargeGarbage.ReturnFreeMemory"/>; a test split is 31 MB).</summary>
    private const long LargeConversion = 16L << 20;

    /// <summary>The images as a (N, 784) float dataset, scaled by <paramref name="scaling"/>.</summary>
    /// <param name="scaling">How bytes become inputs.</param>
    /// <param name="count">Only the first images, when given (quick runs and tests).</param>
    public Dataset ToDataset(PixelScaling scaling = PixelScaling.ZeroToOne, int? count = null)
    {
        int n = Math.Min(count ?? Count, Count);
        if ((long)n * Mnist.Pixels * sizeof(float) >= LargeConversion)
        {
            LargeGarbage.ReturnFreeMemory();
        }
        var images = new Tensor(n, Mnist.Pixels);
        Span<float> table = stackalloc float[256];
        for (int v = 0; v < 256; v++)
        {
            table[v] = Mnist.Scale((byte)v, scaling);
        }
        for (int i = 0; i < n * Mnist.Pixels; i++)
        {
            images.Data[i] = table[Pixels[i]];
        }
        return new Dataset(images, Labels.AsSpan(0, n).ToArray().Select(label => (int)label).ToArray());
    }
}

/// <summary>
/// The MNIST database (LeCun, Cortes and Burges): 60,000 training and 10,000 test digits.
/// Finds the four files in a folder, the <c>NOTEBOOKNET_MNIST</c> variable, the cache under <c>data/mnist</c>,
/// or downloads them from the usual public mirrors, and verifies the SHA-256 of every decompressed file.
/// The same for Fashion-MNIST is <see cref="ImageSet.Fashion"/>; this class is <see cref="ImageSet.Mnist"/>'s short name.
/// Introduced in notebook 01.
/// </summary>
public static class Mnist
{
    /// <summary>The environment variable that names a folder holding the four files.</summary>
    public const string EnvironmentVariable = "NOTEBOOKNET_MNIST";

    /// <summary>Pixels per image (28×28).</summary>
    public const int Pixels = 784;

    /// <summary>The four files, as published, with the SHA-256 of their decompressed bytes.</summary>
    public static IReadOnlyList<MnistFile> Files => ImageSet.Mnist.Files;

    /// <summary>The public mirrors tried in order; each serves <c>&lt;name&gt;.gz</c>.</summary>
    public static IReadOnlyList<string> Mirrors => ImageSet.Mnist.Mirrors;

    /// <summary>Pixel byte → input value.</summary>
    public static float Scale(byte value, PixelScaling scaling) => scaling switch
    {
        PixelScaling.ZeroToOne => value / 255f,
        PixelScaling.Rashid => value / 255f * 0.99f + 0.01f,
        PixelScaling.Standardized => (value / 255f - 0.1307f) / 0.3081f,
        _ => throw new ArgumentOutOfRangeException(nameof(scaling), scaling, "unknown pixel scaling"),
    };

    /// <summary>
    /// Loads both splits, verified. Where the files are: <paramref name="folder"/> when given; else <see cref="Folder"/>;
    /// else the folder in <c>NOTEBOOKNET_MNIST</c>; else the first of <see cref="SearchFolders"/> that holds them; else they are
    /// downloaded into <see cref="CacheFolder"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">An explicit folder lacks a file.</exception>
    /// <exception cref="InvalidDataException">A file is damaged or is not the original (SHA-256 mismatch).</exception>
    public static (MnistSplit Train, MnistSplit Test) Load(string? folder = null, IProgress<DownloadProgress>? progress = null) =>
        ImageSet.Mnist.Load(folder, progress);

    /// <summary>
    /// The folder to read MNIST from when no folder is passed, before the environment variable: a notebook without
    /// internet sets it in its first cell, <c>Mnist.Folder = "/path/to/mnist";</c> (an environment variable would have to
    /// be set before Jupyter or VS Code started).
    /// </summary>
    public static string? Folder
    {
        get => ImageSet.Mnist.Folder;
        set => ImageSet.Mnist.Folder = value;
    }

    /// <summary>The folder the files are read from, downloading them first when no folder holds them.</summary>
    public static string Locate(string? folder = null, IProgress<DownloadProgress>? progress = null) => ImageSet.Mnist.Locate(folder, progress);

    /// <summary>
    /// The cache, <c>data/mnist</c> under the repository root (found by walking up to <c>NotebookNet.sln</c>
    /// from the working directory); outside a checkout, <c>~/.cache/notebooknet/mnist</c>.
    /// </summary>
    public static string CacheFolder => ImageSet.Mnist.CacheFolder;

    /// <summary>Folders searched before downloading: the cache.</summary>
    public static IEnumerable<string> SearchFolders() => ImageSet.Mnist.SearchFolders();

    /// <summary>Reads one images file and one labels file, verifies both and checks that they agree.</summary>
    public static MnistSplit ReadSplit(string folder, MnistFile imagesFile, MnistFile labelsFile) => ImageSet.Mnist.ReadSplit(folder, imagesFile, labelsFile);

    /// <summary>Checks the decompressed bytes of <paramref name="file"/> against its published SHA-256.</summary>
    /// <exception cref="InvalidDataException">The length or the hash differs.</exception>
    public static void Verify(ReadOnlySpan<byte> decompressed, MnistFile file, string path) => ImageSet.Mnist.Verify(decompressed, file, path);

    /// <summary>
    /// Downloads the four files into <paramref name="folder"/>, trying each mirror in turn; each file is
    /// verified before it is renamed into place, so the folder never holds a partial file.
    /// </summary>
    /// <exception cref="IOException">No mirror could provide a verified copy of a file.</exception>
    public static void Download(string folder, IReadOnlyList<string> mirrors, IProgress<DownloadProgress>? progress = null) =>
        ImageSet.Mnist.Download(folder, mirrors, progress);

    /// <summary>The folder holding NotebookNet.sln above the working directory or the library, if any.</summary>
    public static string? RepositoryRoot()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "NotebookNet.sln")))
                {
                    return directory.FullName;
                }
            }
        }
        return null;
    }
}

/// <summary>How far a download has come: bytes received of the total when the server says it.</summary>
public sealed record DownloadProgress(string File, long Bytes, long? TotalBytes);
