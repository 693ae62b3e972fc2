namespace NotebookNet.Cli;

/// <summary>A usage error: printed with the usage text, never as a stack trace.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Command-line words: positional values and <c>--name value</c> / <c>--flag</c> options.</summary>
public sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Splits <paramref name="words"/>; <paramref name="flags"/> are the options that take no value.</summary>
    public Arguments(IEnumerable<string> words, params string[] flags)
    {
        var list = words.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string word = list[i];
            if (!word.StartsWith("--", StringComparison.Ordinal))
            {
                Positional.Add(word);
                continue;
            }
            string name = word[2..];
            string? value = null;
            int equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else if (!flags.Contains(name))
            {
                if (i + 1 >= list.Count)
                {
                    throw new UsageException($"--{name} needs a value");
                }
                value = list[++i];
            }
            if (!_options.TryAdd(name, value))
            {
                throw new UsageException($"--{name} is given twice");
            }
        }
    }

    /// <summary>The words that are not options, in order.</summary>
    public List<string> Positional { get; } = [];

    /// <summary>True when the flag is present.</summary>
    public bool Flag(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    /// <summary>The option's text, or null.</summary>
    public string? Text(string name)
    {
        _used.Add(name);
        return _options.GetValueOrDefault(name);
    }

    /// <summary>The option as an integer within [min, max], or null when absent.</summary>
    public int? Int(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        string? text = Text(name);
        if (text is null)
        {
            return null;
        }
        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new UsageException($"--{name} expects a whole number from {min} to {max}, got \"{text}\"");
        }
        return value;
    }

    /// <summary>The option as a positive finite number, or null when absent.</summary>
    public float? PositiveFloat(string name)
    {
        string? text = Text(name);
        if (text is null)
        {
            return null;
        }
        if (!float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float value) || !(value > 0) || !float.IsFinite(value))
        {
            throw new UsageException($"--{name} expects a positive number, got \"{text}\"");
        }
        return value;
    }

    /// <summary>Throws when an option was given that the command never asked for, or too many positional words.</summary>
    public void RejectUnknown(int maxPositional)
    {
        string? unknown = _options.Keys.FirstOrDefault(name => !_used.Contains(name));
        if (unknown is not null)
        {
            throw new UsageException($"unknown option --{unknown}");
        }
        if (Positional.Count > maxPositional)
        {
            throw new UsageException($"unexpected argument \"{Positional[maxPositional]}\"");
        }
    }
}
