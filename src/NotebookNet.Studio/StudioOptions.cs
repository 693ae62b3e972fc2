namespace NotebookNet.Studio;

/// <summary>Where the studio finds models and keeps the reader's examples, and the limits it enforces.</summary>
public sealed record StudioOptions
{
    /// <summary>The folder whose <c>*.nnw</c> files the model picker lists (default <c>models</c>).</summary>
    public string ModelsFolder { get; init; } = "models";

    /// <summary>The model answering when a request names none: a file path, or null for the first one listed.</summary>
    public string? DefaultModel { get; init; }

    /// <summary>Where labelled drawings are saved, as <c>&lt;folder&gt;/&lt;label&gt;/&lt;time&gt;.png</c> (default <c>data/my-digits</c>).</summary>
    public string ExamplesFolder { get; init; } = Path.Combine("data", "my-digits");

    /// <summary>The largest request body accepted, in bytes; a larger one gets 413.</summary>
    public long MaxBodyBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>The largest canvas side, in pixels, that a JSON request may send.</summary>
    public int MaxCanvasSide { get; init; } = 2048;
}
