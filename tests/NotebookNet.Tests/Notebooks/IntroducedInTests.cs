using System.Text.Json;
using System.Text.RegularExpressions;

namespace NotebookNet.Tests.Notebooks;

/// <summary>Each "Introduced in notebook NN" remark of the library's docs points at a notebook whose code uses the type.</summary>
public class IntroducedInTests
{
    [Fact]
    public void EveryIntroducedInRemarkNamesANotebookThatUsesTheType()
    {
        string root = NotebookNet.Data.Mnist.RepositoryRoot() ?? throw new InvalidOperationException("not inside the repository");
        Dictionary<string, string> notebookCode = Directory.GetFiles(Path.Combine(root, "notebooks"), "*.ipynb").ToDictionary(
            path => Path.GetFileName(path)[..2],
            path => string.Join('\n', JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("cells").EnumerateArray()
                .Where(cell => cell.GetProperty("cell_type").GetString() == "code")
                .Select(cell => string.Concat(cell.GetProperty("source").EnumerateArray().Select(line => line.GetString())))));
        var remark = new Regex(@"Introduced in notebooks? (\d\d)(?:\s*\((\w+)\))?(?:,? and (?:notebook )?(\d\d))?");
        var declaration = new Regex(@"^\s*public (?:sealed |static |abstract |readonly |partial |unsafe )*(?:class|record|struct|enum|interface) (\w+)");
        var wrong = new List<string>();
        int checkedRemarks = 0;
        foreach (string file in Directory.GetFiles(Path.Combine(root, "src", "NotebookNet"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")))
        {
            string[] lines = File.ReadAllLines(file);
            var pending = new List<string>();
            foreach (string line in lines)
            {
                if (line.TrimStart().StartsWith("///", StringComparison.Ordinal))
                {
                    foreach (Match match in remark.Matches(line))
                    {
                        pending.Add(match.Groups[1].Value);
                        if (match.Groups[3].Success)
                        {
                            pending.Add(match.Groups[3].Value);
                        }
                    }
                    continue;
                }
                if (line.TrimStart().StartsWith('[') || pending.Count == 0)
                {
                    continue;
                }
                Match type = declaration.Match(line);
                // A remark on a member names the member's type's notebook too; it is checked against the type's name.
                string name = type.Success ? type.Groups[1].Value : "";
                if (name.Length > 0)
                {
                    foreach (string number in pending)
                    {
                        checkedRemarks++;
                        if (!notebookCode.TryGetValue(number, out string? code) || !Regex.IsMatch(code, $@"\b{name}\b"))
                        {
                            wrong.Add($"{Path.GetFileName(file)}: {name} says notebook {number}, whose code never uses it");
                        }
                    }
                }
                pending.Clear();
            }
        }
        Assert.True(checkedRemarks > 20, $"only {checkedRemarks} remarks found");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
