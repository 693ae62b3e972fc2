using System.Collections.Concurrent;
using System.Globalization;
using NotebookNet.Digits;
using NotebookNet.Serialization;

namespace NotebookNet.Studio;

/// <summary>A model file the studio can use, with what its file records about it.</summary>
/// <param name="Name">The file name without <c>.nnw</c>, which requests use to pick it.</param>
/// <param name="Path">Where the file is.</param>
/// <param name="TestAccuracy">The test accuracy recorded when it was trained, if the file records one.</param>
/// <param name="Recipe">The recipe that trained it, if recorded.</param>
/// <param name="Problem">Why the file cannot be used (damaged, not a digit classifier), or null.</param>
public sealed record ModelEntry(string Name, string Path, float? TestAccuracy, string? Recipe, string? Problem);

/// <summary>A loaded model and the lock that keeps two requests from running it at once (layers keep per-call state).</summary>
/// <param name="Entry">What the catalog lists about it.</param>
/// <param name="Classifier">The model with its input contract.</param>
/// <param name="Written">The file's last write time when it was loaded.</param>
/// <param name="Length">The file's length when it was loaded.</param>
public sealed record LoadedModel(ModelEntry Entry, DigitClassifier Classifier, DateTime Written, long Length)
{
    public object Gate { get; } = new();
}

/// <summary>
/// The model files of a folder, loaded on first use and reloaded when a file changes. A file replaced while serving is
/// picked up whole or not at all: it is read and verified completely before it replaces the copy in use, and a file that
/// fails to load leaves the copy in use answering.
/// </summary>
public sealed class ModelCatalog(StudioOptions options)
{
    private readonly ConcurrentDictionary<string, LoadedModel> _loaded = new(StringComparer.Ordinal);

    /// <summary>The model files in the folder (and the default model, if it lies elsewhere), by name.</summary>
    public IReadOnlyList<ModelEntry> List()
    {
        var paths = new List<string>();
        if (options.DefaultModel is string preferred && File.Exists(preferred))
        {
            paths.Add(Path.GetFullPath(preferred));
        }
        if (Directory.Exists(options.ModelsFolder))
        {
            paths.AddRange(Directory.EnumerateFiles(options.ModelsFolder, "*.nnw").Select(Path.GetFullPath).Order(StringComparer.Ordinal));
        }
        return paths.Distinct(StringComparer.Ordinal).Select(path => Describe(path)).ToList();
    }

    /// <summary>The model named <paramref name="name"/>, or the default one when <paramref name="name"/> is null.</summary>
    /// <exception cref="KeyNotFoundException">No usable model has that name (or there is none at all).</exception>
    public LoadedModel Get(string? name)
    {
        IReadOnlyList<ModelEntry> entries = List();
        ModelEntry? entry = name is null
            ? entries.FirstOrDefault(e => e.Problem is null)
            : entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal));
        if (entry is null)
        {
            throw new KeyNotFoundException(name is null
                ? $"there is no model to answer with: train one (notebooknet train --recipe lenet5) or put a .nnw file in {options.ModelsFolder}"
                : $"there is no model named '{name}'; the models are: {string.Join(", ", entries.Select(e => e.Name))}");
        }
        if (entry.Problem is not null)
        {
            throw new KeyNotFoundException($"the model '{entry.Name}' cannot be used: {entry.Problem}");
        }
        return Load(entry.Path);
    }

    private ModelEntry Describe(string path)
    {
        try
        {
            return Load(path).Entry;
        }
        catch (Exception error) when (error is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            return new ModelEntry(Path.GetFileNameWithoutExtension(path), path, null, null, error.Message);
        }
    }

    private LoadedModel Load(string path)
    {
        var file = new FileInfo(path);
        if (_loaded.TryGetValue(path, out LoadedModel? cached) && cached.Written == file.LastWriteTimeUtc && cached.Length == file.Length)
        {
            return cached;
        }
        try
        {
            SavedModel saved = ModelFile.Load(path);
            DigitClassifier classifier = DigitClassifier.For(saved, Path.GetFileName(path));
            saved.Metadata.TryGetValue("test-accuracy", out string? accuracyText);
            saved.Metadata.TryGetValue("recipe", out string? recipe);
            float? accuracy = float.TryParse(accuracyText, NumberStyles.Float, CultureInfo.InvariantCulture, out float a) ? a : null;
            var loaded = new LoadedModel(new ModelEntry(Path.GetFileNameWithoutExtension(path), path, accuracy, recipe, null),
                classifier, file.LastWriteTimeUtc, file.Length);
            _loaded[path] = loaded;
            return loaded;
        }
        catch (Exception) when (cached is not null)
        {
            // Being replaced, or replaced by a damaged file: the copy already loaded keeps answering.
            return cached;
        }
    }
}
