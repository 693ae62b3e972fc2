using System.Diagnostics;

namespace NotebookNet.Tests.Cli;

/// <summary>The command line as a reader runs it: the built program in a process of its own.</summary>
internal static class CliProcess
{
    private static string Program => Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "NotebookNet.Cli.exe" : "NotebookNet.Cli");

    /// <summary>Starts the program in <paramref name="folder"/>, with <paramref name="environment"/> added to this process's variables.</summary>
    public static Process Start(string folder, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo(Program, args) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return Process.Start(start)!;
    }

    /// <summary>Waits for the process and returns its exit code and everything it printed.</summary>
    public static (int Code, string Output) Finish(Process process)
    {
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"{Path.GetFileName(Program)} did not finish within 3 minutes");
        return (process.ExitCode, output.Result + error.Result);
    }
}
