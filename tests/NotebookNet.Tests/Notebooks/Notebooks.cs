using NotebookNet.Data;

namespace NotebookNet.Tests.Notebooks;

/// <summary>Finds the notebooks folder and runs notebooks in quick mode, one at a time.</summary>
public static class Notebooks
{
    public static string Folder => Path.Combine(Mnist.RepositoryRoot() ?? throw new InvalidOperationException("NotebookNet.sln not found above the test folder"), "notebooks");

    public static string PathOf(string name) => Path.Combine(Folder, name);

    public static IEnumerable<string> All => Directory.GetFiles(Folder, "*.ipynb").Order(StringComparer.Ordinal);

    /// <summary>Runs a notebook with NOTEBOOKNET_QUICK=1, after making sure the Release library it loads is built.</summary>
    public static Task<IReadOnlyList<CellRun>> RunQuickAsync(string name, Func<CellRun, Task<bool>>? afterCell = null)
    {
        LibraryBuild.Ensure();
        Environment.SetEnvironmentVariable(NotebookSettings.QuickVariable, "1");
        return NotebookRunner.RunAsync(PathOf(name), afterCell);
    }
}

/// <summary>
/// The notebooks load src/NotebookNet/bin/Release/net10.0/NotebookNet.dll. A Release test run has just built
/// it; any other configuration builds it once here, so the notebooks never run a stale library.
/// </summary>
public static class LibraryBuild
{
    private static readonly Lazy<bool> Built = new(() =>
    {
        string root = Mnist.RepositoryRoot()!;
        string dll = Path.Combine(root, "src", "NotebookNet", "bin", "Release", "net10.0", "NotebookNet.dll");
        string ours = typeof(NotebookSettings).Assembly.Location;
        if (File.Exists(dll) && File.GetLastWriteTimeUtc(dll) >= File.GetLastWriteTimeUtc(ours).AddSeconds(-5) &&
            AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
        {
            return true;
        }
        using var build = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", ["build", "-c", "Release", Path.Combine(root, "src", "NotebookNet")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string output = build.StandardOutput.ReadToEnd() + build.StandardError.ReadToEnd();
        build.WaitForExit();
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"building the Release library for the notebooks failed:\n{output}");
        }
        return true;
    });

    public static void Ensure() => _ = Built.Value;
}
