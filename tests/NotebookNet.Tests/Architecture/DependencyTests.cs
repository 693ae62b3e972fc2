using NetArchTest.Rules;

namespace NotebookNet.Tests.Architecture;

/// <summary>The dependency rule of ARCHITECTURE.md: each namespace of the library uses only the ones listed for it.</summary>
public class DependencyTests
{
    /// <summary>What each namespace may use, besides itself. Kept in step with the table in ARCHITECTURE.md.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["Tensors"] = [],
        ["Layers"] = ["Tensors"],
        ["Activations"] = ["Tensors", "Layers"],
        ["Losses"] = ["Tensors"],
        ["Optimizers"] = ["Tensors"],
        ["Data"] = ["Tensors"],
        ["Training"] = ["Tensors", "Layers", "Activations", "Losses", "Optimizers", "Data", "Serialization"],
        ["Serialization"] = ["Tensors", "Layers", "Activations", "Data"],
        ["Preprocessing"] = ["Tensors", "Data"],
        ["Visualization"] = ["Tensors", "Layers", "Data", "Preprocessing", "Training"],
        ["Digits"] = ["Tensors", "Layers", "Activations", "Losses", "Optimizers", "Data", "Training", "Serialization", "Preprocessing", "Visualization"],
    };

    public static TheoryData<string> Namespaces => new(Allowed.Keys);

    [Theory]
    [MemberData(nameof(Namespaces))]
    public void ANamespaceUsesOnlyTheOnesBelowIt(string name)
    {
        string[] forbidden = Allowed.Keys.Where(other => other != name && !Allowed[name].Contains(other))
            .Select(other => $"NotebookNet.{other}").ToArray();
        TestResult result = Types.InAssembly(typeof(NotebookNet.Tensors.Tensor).Assembly)
            .That().ResideInNamespace($"NotebookNet.{name}")
            .ShouldNot().HaveDependencyOnAny(forbidden)
            .GetResult();
        Assert.True(result.IsSuccessful,
            $"NotebookNet.{name} may use only {string.Join(", ", Allowed[name].DefaultIfEmpty("nothing else"))}; these types reach further: " +
            string.Join(", ", result.FailingTypeNames ?? []));
    }

    [Fact]
    public void EveryNamespaceOfTheLibraryIsInTheTable()
    {
        string[] namespaces = typeof(NotebookNet.Tensors.Tensor).Assembly.GetTypes()
            .Select(type => type.Namespace ?? "")
            .Where(ns => ns.StartsWith("NotebookNet.", StringComparison.Ordinal))
            .Select(ns => ns["NotebookNet.".Length..].Split('.')[0])
            .Distinct().ToArray();
        Assert.All(namespaces, ns => Assert.True(Allowed.ContainsKey(ns), $"NotebookNet.{ns} is not in ARCHITECTURE.md's table"));
    }

    [Fact]
    public void TheRuleCatchesAReferenceThatPointsUp()
    {
        // The same check on a namespace that does use a higher one must fail: the rule can fail at all.
        TestResult result = Types.InAssembly(typeof(NotebookNet.Tensors.Tensor).Assembly)
            .That().ResideInNamespace("NotebookNet.Digits")
            .ShouldNot().HaveDependencyOnAny("NotebookNet.Training")
            .GetResult();
        Assert.False(result.IsSuccessful);
    }

    [Fact]
    public void ArchitectureMdListsTheSameRule()
    {
        string root = NotebookNet.Data.Mnist.RepositoryRoot() ?? throw new InvalidOperationException("not inside the repository");
        string text = File.ReadAllText(Path.Combine(root, "ARCHITECTURE.md"));
        foreach ((string name, string[] uses) in Allowed)
        {
            string row = text.Split('\n').FirstOrDefault(line => line.StartsWith($"| `{name}` ", StringComparison.Ordinal))
                ?? throw new Xunit.Sdk.XunitException($"ARCHITECTURE.md has no row for {name}");
            string usesCell = row.Split('|')[2];
            string[] listed = usesCell.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(word => word.Trim('`', ' ')).Where(word => word is not ("—" or "")).ToArray();
            Assert.Equal(uses.Order(), listed.Order());
        }
    }
}
