namespace NotebookNet.Data;

/// <summary>
/// Writes files so that a crash or a killed process never leaves half of one: the content goes to a temporary file
/// beside the target, is flushed to disk, and is then renamed over the target in one step.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically; creates the folder if needed.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    /// <param name="overwrite">When false, an existing file is kept and <see cref="IOException"/> is thrown.</param>
    /// <param name="keepPreviousAs">When given, the file replaced is kept under this name (replacing any older one there).</param>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false, or the disk failed; the file
    /// that was there is untouched.</exception>
    public static void Write(string path, Action<Stream> write, bool overwrite = true, string? keepPreviousAs = null)
    {
        string fullPath = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(fullPath);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        if (!overwrite && File.Exists(fullPath))
        {
            throw new IOException($"{path}: already exists; it was not replaced");
        }
        string temporary = $"{fullPath}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            if (keepPreviousAs is not null && File.Exists(fullPath))
            {
                File.Replace(temporary, fullPath, Path.GetFullPath(keepPreviousAs));
            }
            else
            {
                File.Move(temporary, fullPath, overwrite);
            }
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> as UTF-8, atomically.</summary>
    public static void WriteAllText(string path, string text, bool overwrite = true) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, leaveOpen: true);
            writer.Write(text);
        }, overwrite);
}
