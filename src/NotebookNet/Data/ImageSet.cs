using System.Security.Cryptography;

namespace NotebookNet.Data;

/// <summary>
/// A set of 28×28 gray images in MNIST's four IDX files — MNIST itself, or Fashion-MNIST (Xiao, Rasul and Vollgraf 2017:
/// Zalando's pictures of ten kinds of clothing, the same format and shapes) — with where to find them and how to check
/// them: a folder given, then <see cref="Folder"/>, then an environment variable, then folders where a system package or
/// an earlier download put them, else a download from public mirrors. Every file's decompressed bytes are checked
/// against their SHA-256. Introduced in notebook 05.
/// </summary>
public sealed class ImageSet
{
    /// <summary>MNIST: handwritten digits 0–9 (<see cref="Data.Mnist"/> is its short name).</summary>
    public static ImageSet Mnist { get; } = new("MNIST", "mnist", Data.Mnist.EnvironmentVariable, "Mnist.Folder",
        [
            new("train-images-idx3-ubyte", 47040016, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            new("train-labels-idx1-ubyte", 60008, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            new("t10k-images-idx3-ubyte", 7840016, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            new("t10k-labels-idx1-ubyte", 10008, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        ],
        ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"],
        Enumerable.Range(0, 10).Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
        []);

    /// <summary>
    /// Fashion-MNIST: T-shirt/top, trouser, pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot. Found in
    /// <c>NOTEBOOKNET_FASHION_MNIST</c>, Debian's <c>dataset-fashion-mnist</c> (<c>/usr/share/datasets/fashion-mnist</c>),
    /// <c>data/fashion-mnist</c>, or downloaded from Zalando's mirror. The SHA-256s are those of the decompressed files
    /// of Debian's package 0.0~git20200523, whose sizes are the published ones (the published MD5s are of the .gz files,
    /// which Debian recompressed).
    /// </summary>
    public static ImageSet Fashion { get; } = new("Fashion-MNIST", "fashion", "NOTEBOOKNET_FASHION_MNIST", "ImageSet.Fashion.Folder",
        [
            new("train-images-idx3-ubyte", 47040016, "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            new("train-labels-idx1-ubyte", 60008, "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            new("t10k-images-idx3-ubyte", 7840016, "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            new("t10k-labels-idx1-ubyte", 10008, "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        ],
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        ["/usr/share/datasets/fashion-mnist"]);

    /// <summary>Every image set, by <see cref="Key"/>: what <c>--dataset</c> chooses from.</summary>
    public static IReadOnlyList<ImageSet> All { get; } = [Mnist, Fashion];

    private readonly string _folderHint;
    private readonly IReadOnlyList<string> _systemFolders;

    private ImageSet(string name, string key, string environmentVariable, string folderHint, IReadOnlyList<MnistFile> files,
        IReadOnlyList<string> mirrors, IReadOnlyList<string> classNames, IReadOnlyList<string> systemFolders)
    {
        (Name, Key, EnvironmentVariable, _folderHint, Files, Mirrors, ClassNames, _systemFolders) =
            (name, key, environmentVariable, folderHint, files, mirrors, classNames, systemFolders);
    }

    /// <summary>The set's name, as papers write it: <c>MNIST</c>, <c>Fashion-MNIST</c>.</summary>
    public string Name { get; }

    /// <summary>The word that chooses it on the command line: <c>mnist</c>, <c>fashion</c>.</summary>
    public string Key { get; }

    /// <summary>The environment variable that names a folder holding the four files.</summary>
    public string EnvironmentVariable { get; }

    /// <summary>The four files, as published, with the SHA-256 of their decompressed bytes.</summary>
    public IReadOnlyList<MnistFile> Files { get; }

    /// <summary>The public mirrors tried in order; each serves <c>&lt;name&gt;.gz</c>.</summary>
    public IReadOnlyList<string> Mirrors { get; }

    /// <summary>The name of each label 0–9.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The set named by <paramref name="key"/> (<c>mnist</c> or <c>fashion</c>, any case).</summary>
    /// <exception cref="ArgumentException">No set has that key; the message lists them.</exception>
    public static ImageSet Find(string key) =>
        All.FirstOrDefault(set => string.Equals(set.Key, key, StringComparison.OrdinalIgnoreCase) || string.Equals(set.Name, key, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"no data set \"{key}\"; known: {string.Join(", ", All.Select(set => set.Key))}");

    /// <summary>
    /// Loads both splits, verified. Where the files are: <paramref name="folder"/> when given; else <see cref="Folder"/>;
    /// else the folder in <see cref="EnvironmentVariable"/>; else the first of <see cref="SearchFolders"/> that holds them; else
    /// they are downloaded into <see cref="CacheFolder"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">An explicit folder lacks a file.</exception>
    /// <exception cref="InvalidDataException">A file is damaged or is not the original (SHA-256 mismatch).</exception>
    public (MnistSplit Train, MnistSplit Test) Load(string? folder = null, IProgress<DownloadProgress>? progress = null)
    {
        string location = Locate(folder, progress);
        return (ReadSplit(location, Files[0], Files[1]), ReadSplit(location, Files[2], Files[3]));
    }

    /// <summary>
    /// The folder to read from when no folder is passed, before the environment variable: a notebook without internet
    /// sets it in its first cell (an environment variable would have to be set before Jupyter or VS Code started).
    /// </summary>
    public string? Folder { get; set; }

    /// <summary>The folder the files are read from, downloading them first when no folder holds them.</summary>
    public string Locate(string? folder = null, IProgress<DownloadProgress>? progress = null)
    {
        if (folder is not null)
        {
            return RequireFiles(folder, "the folder given");
        }
        if (Folder is string notebookFolder)
        {
            return RequireFiles(notebookFolder, $"{_folderHint} = \"{notebookFolder}\"");
        }
        string? variable = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(variable))
        {
            return RequireFiles(variable, $"{EnvironmentVariable}={variable}");
        }
        foreach (string candidate in SearchFolders())
        {
            if (Files.All(file => FindFile(candidate, file.Name) is not null))
            {
                return candidate;
            }
        }
        Download(CacheFolder, Mirrors, progress);
        return CacheFolder;
    }

    /// <summary>
    /// The cache, <c>data/&lt;set&gt;</c> under the repository root (<c>data/mnist</c>, <c>data/fashion-mnist</c>); outside a
    /// checkout, <c>~/.cache/notebooknet/&lt;set&gt;</c>.
    /// </summary>
    public string CacheFolder
    {
        get
        {
            string folder = Name.ToLowerInvariant();
            return Data.Mnist.RepositoryRoot() is string root
                ? Path.Combine(root, "data", folder)
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "notebooknet", folder);
        }
    }

    /// <summary>Folders searched before downloading: the cache, then where a system package installs the set.</summary>
    public IEnumerable<string> SearchFolders() => [CacheFolder, .. _systemFolders];

    /// <summary>Reads one images file and one labels file, verifies both and checks that they agree.</summary>
    public MnistSplit ReadSplit(string folder, MnistFile imagesFile, MnistFile labelsFile)
    {
        IdxData images = ReadVerified(folder, imagesFile);
        IdxData labels = ReadVerified(folder, labelsFile);
        if (images.Dimensions.Length != 3 || images.Dimensions[1] != 28 || images.Dimensions[2] != 28)
        {
            throw new InvalidDataException($"{imagesFile.Name}: expected images (N, 28, 28), found ({string.Join(", ", images.Dimensions)})");
        }
        if (labels.Dimensions.Length != 1 || labels.Count != images.Count)
        {
            throw new InvalidDataException($"{labelsFile.Name}: {labels.Count} labels for {images.Count} images in {imagesFile.Name}");
        }
        return new MnistSplit(images.Values, labels.Values);
    }

    private IdxData ReadVerified(string folder, MnistFile file)
    {
        string path = FindFile(folder, file.Name)
            ?? throw new FileNotFoundException($"{folder}: no {file.Name} or {file.Name}.gz", Path.Combine(folder, file.Name));
        byte[] bytes = IdxFile.ReadDecompressed(path);
        Verify(bytes, file, path);
        return IdxFile.Parse(bytes, Path.GetFileName(path));
    }

    /// <summary>Checks the decompressed bytes of <paramref name="file"/> against its published SHA-256.</summary>
    /// <exception cref="InvalidDataException">The length or the hash differs.</exception>
    public void Verify(ReadOnlySpan<byte> decompressed, MnistFile file, string path)
    {
        string name = Path.GetFileName(path);
        if (decompressed.Length != file.Length)
        {
            throw new InvalidDataException($"{name}: decompressed to {decompressed.Length} bytes, the original {file.Name} has {file.Length} (truncated or another file)");
        }
        string hash = Convert.ToHexStringLower(SHA256.HashData(decompressed));
        if (hash != file.Sha256)
        {
            throw new InvalidDataException($"{name}: SHA-256 of the decompressed bytes is {hash}, expected {file.Sha256}: the file is damaged or is not the original {Name}; delete it and load again");
        }
    }

    /// <summary>
    /// Downloads the four files of the set into <paramref name="folder"/>, trying each mirror in turn; each file is
    /// verified before it is renamed into place, so the folder never holds a partial file.
    /// </summary>
    /// <exception cref="IOException">No mirror could provide a verified copy of a file.</exception>
    public void Download(string folder, IReadOnlyList<string> mirrors, IProgress<DownloadProgress>? progress = null)
    {
        Directory.CreateDirectory(folder);
        using var client = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
        foreach (MnistFile file in Files)
        {
            if (FindFile(folder, file.Name) is not null)
            {
                continue;
            }
            string target = Path.Combine(folder, file.Name + ".gz");
            var failures = new List<string>();
            foreach (string mirror in mirrors)
            {
                string url = mirror + file.Name + ".gz";
                string temporary = target + ".part";
                try
                {
                    DownloadFile(client, url, temporary, file.Name, progress);
                    Verify(IdxFile.ReadDecompressed(temporary), file, url);
                    File.Move(temporary, target, overwrite: true);
                    break;
                }
                catch (Exception error) when (error is HttpRequestException or IOException or TaskCanceledException or InvalidDataException)
                {
                    failures.Add($"{url}: {error.Message}");
                    File.Delete(temporary);
                }
            }
            if (!File.Exists(target))
            {
                throw new IOException(
                    $"could not download {file.Name}.gz from any mirror:\n  {string.Join("\n  ", failures)}\n" +
                    $"Without internet, put the four {Name} files in a folder and name it: --data DIR on the command line, " +
                    $"{_folderHint} = \"DIR\"; in a notebook's first cell, or the environment variable {EnvironmentVariable}.");
            }
        }
    }

    private static void DownloadFile(HttpClient client, string url, string path, string name, IProgress<DownloadProgress>? progress)
    {
        using HttpResponseMessage response = client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult();
        response.EnsureSuccessStatusCode();
        long? total = response.Content.Headers.ContentLength;
        using Stream source = response.Content.ReadAsStream();
        using FileStream destination = File.Create(path);
        var buffer = new byte[1 << 16];
        long done = 0;
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            destination.Write(buffer, 0, read);
            done += read;
            progress?.Report(new DownloadProgress(name, done, total));
        }
    }

    private string RequireFiles(string folder, string source)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"{Name} folder {folder} ({source}) does not exist");
        }
        foreach (MnistFile file in Files)
        {
            if (FindFile(folder, file.Name) is null)
            {
                throw new FileNotFoundException($"{Name} folder {folder} ({source}) has no {file.Name} or {file.Name}.gz", Path.Combine(folder, file.Name));
            }
        }
        return folder;
    }

    private static string? FindFile(string folder, string name)
    {
        foreach (string candidate in new[] { name, name + ".gz" })
        {
            string path = Path.Combine(folder, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }
}
