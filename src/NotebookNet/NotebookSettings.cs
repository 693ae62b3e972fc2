namespace NotebookNet;

/// <summary>Settings the notebooks read: quick mode for the test suite, full runs for readers.</summary>
public static class NotebookSettings
{
    /// <summary>The environment variable that turns quick mode on (value <c>1</c>).</summary>
    public const string QuickVariable = "NOTEBOOKNET_QUICK";

    /// <summary>
    /// True under test: notebooks then train on small subsets for one epoch. A reader running a notebook
    /// gets the full run.
    /// </summary>
    public static bool Quick => Environment.GetEnvironmentVariable(QuickVariable) == "1";

    /// <summary><paramref name="full"/> normally, <paramref name="quick"/> in quick mode.</summary>
    public static T Choose<T>(T full, T quick) => Quick ? quick : full;
}
