namespace NotebookNet.Studio;

/// <summary>A request the studio refuses, with the HTTP status that fits and a message that names the problem.</summary>
public sealed class StudioError(int status, string message) : Exception(message)
{
    /// <summary>The HTTP status code: 400 bad input, 404 unknown model, 413 too large, 415 wrong content type.</summary>
    public int Status { get; } = status;
}
