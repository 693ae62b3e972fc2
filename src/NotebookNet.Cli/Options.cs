using System.CommandLine;
using NotebookNet.Data;
using NotebookNet.Digits;

namespace NotebookNet.Cli;

/// <summary>Options several commands share, each made fresh for the command that takes it.</summary>
public static class Options
{
    /// <summary>--data DIR: where MNIST is.</summary>
    public static Option<string?> Data() => new("--data")
    {
        Description = "The folder holding the data set's four files; default: $NOTEBOOKNET_MNIST (Fashion-MNIST: $NOTEBOOKNET_FASHION_MNIST, then Debian's dataset-fashion-mnist), else data/<set>, else downloaded",
        HelpName = "DIR",
    };

    /// <summary>--dataset mnist|fashion: which set of 28×28 images (default MNIST).</summary>
    public static Option<string> DataSet() => new("--dataset")
    {
        Description = $"The images: {string.Join(" or ", ImageSet.All.Select(set => $"{set.Key} ({set.Name})"))}; --data then names its folder",
        DefaultValueFactory = _ => ImageSet.Mnist.Key,
        HelpName = string.Join("|", ImageSet.All.Select(set => set.Key)),
        Validators = { result =>
        {
            string? word = result.Tokens.LastOrDefault()?.Value;
            if (word is not null && !ImageSet.All.Any(set => string.Equals(set.Key, word, StringComparison.OrdinalIgnoreCase)))
            {
                result.AddError($"--dataset expects {string.Join(" or ", ImageSet.All.Select(set => set.Key))}, got '{word}'");
            }
        } },
    };

    /// <summary>--seed N.</summary>
    public static Option<int> Seed(int defaultValue, string what) => Whole("--seed", defaultValue, 0, int.MaxValue, what);

    /// <summary>An option holding a whole number within [min, max].</summary>
    public static Option<int> Whole(string name, int defaultValue, int min, int max, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "N" };
        option.Validators.Add(result =>
        {
            if (!int.TryParse(result.Tokens.LastOrDefault()?.Value ?? defaultValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value))
            {
                return; // the parser reports a word that is no number
            }
            if (value < min || value > max)
            {
                result.AddError($"{name} expects a whole number from {min} to {max}, got {value}");
            }
        });
        return option;
    }

    /// <summary>An optional whole number within [min, max] (null when absent).</summary>
    public static Option<int?> OptionalWhole(string name, int min, int max, string description)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = "N" };
        option.Validators.Add(result =>
        {
            if (int.TryParse(result.Tokens.LastOrDefault()?.Value, System.Globalization.NumberStyles.Integer,
                System.Globalization.CultureInfo.InvariantCulture, out int value) && (value < min || value > max))
            {
                result.AddError($"{name} expects a whole number from {min} to {max}, got {value}");
            }
        });
        return option;
    }

    /// <summary>The recipe named <paramref name="name"/>, or a usage error that suggests the nearest name and lists them all.</summary>
    public static Recipe FindRecipe(string name) =>
        Recipe.All.FirstOrDefault(recipe => string.Equals(recipe.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UsageException($"no recipe \"{name}\"" +
            (Spelling.Closest(name, Recipe.All.Select(r => r.Name)) is string near ? $"; did you mean {near}?" : "") +
            $" Known: {string.Join(", ", Recipe.All.Select(r => r.Name))}");
}
