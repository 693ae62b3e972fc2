namespace NotebookNet.Tests.Notebooks;

/// <summary>
/// Every notebook runs top to bottom in quick mode; then what its cells produced is checked. Serial: the
/// working directory and the quick-mode variable are process-wide.
/// </summary>
[Collection(nameof(NotebookCollection))]
public class NotebookTests
{
    public static TheoryData<string> Names => new(Notebooks.All.Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task RunsTopToBottomWithoutErrors(string name)
    {
        IReadOnlyList<CellRun> cells = await Notebooks.RunQuickAsync(name);
        Assert.NotEmpty(cells);
        Assert.Contains("#load \"NotebookNet.csx\"", cells[0].Code);
    }

    [Fact]
    public void EveryNotebookLoadsTheSetupInItsFirstCellAndNoOtherPath()
    {
        Assert.NotEmpty(Notebooks.All);
        foreach (string path in Notebooks.All)
        {
            List<string> cells = NotebookRunner.ReadCodeCells(path);
            Assert.StartsWith("#load \"NotebookNet.csx\"", cells[0]);
            Assert.DoesNotContain(cells, cell => cell.Contains("NotebookNet.dll", StringComparison.Ordinal));
        }
    }
}

[CollectionDefinition(nameof(NotebookCollection), DisableParallelization = true)]
public class NotebookCollection;
