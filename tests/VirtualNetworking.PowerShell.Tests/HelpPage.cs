using System.Text.RegularExpressions;

namespace VirtualNetworking.PowerShell.Tests;

/// <summary>One entry of a list of ids: "- VNetworkNotFound: what happened. What to do." split at the first ": ".</summary>
public sealed record HelpEntry(string Key, string Text);

/// <summary>A markdown page of docs/ as the ErrorId tests read it: its lists of ids and every id-like word on it.</summary>
public sealed partial class HelpPage
{
    public const string ErrorsList = "Errors, by ErrorId:";
    public const string WarningsList = "Warnings, by id:";
    public const string DefinitionProblemsSection = "## Definition problems";
    /// <summary>The one line a cmdlet page has for the definition problems about_VirtualNetworking explains.</summary>
    public const string DefinitionProblemsKey = "Definition problems";

    [GeneratedRegex(@"\bVNetwork[A-Z]\w*")]
    private static partial Regex IdLike();

    [GeneratedRegex(@"^- (?<key>.+?): (?<text>.*)$")]
    private static partial Regex ListItem();

    private readonly string[] lines;

    private HelpPage(string path)
    {
        Path = path;
        lines = File.ReadAllLines(path);
    }

    public string Path { get; }

    public static HelpPage OfCmdlet(string name) => new(System.IO.Path.Combine(TheModule.RepoRoot, "docs", "cmdlets", name + ".md"));

    public static HelpPage About() => new(System.IO.Path.Combine(TheModule.RepoRoot, "docs", "about_VirtualNetworking.md"));

    public IReadOnlyList<HelpEntry> Errors => ListAfter(ErrorsList);

    public IReadOnlyList<HelpEntry> Warnings => ListAfter(WarningsList);

    /// <summary>How many lines introduce a list of that name (a page has one of each at most).</summary>
    public int CountOf(string listName) => lines.Count(l => l.TrimEnd().EndsWith(listName, StringComparison.Ordinal));

    /// <summary>
    /// The first list after the line that ends with the marker (the list's name, or a section's heading): one entry
    /// per "- " line; an item that is not "key: text" keeps the whole line as its key and no text.
    /// </summary>
    public IReadOnlyList<HelpEntry> ListAfter(string marker)
    {
        var start = Array.FindIndex(lines, l => l.TrimEnd().EndsWith(marker, StringComparison.Ordinal));
        if (start < 0) return [];
        var entries = new List<HelpEntry>();
        for (var i = start + 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith("- ", StringComparison.Ordinal))
                entries.Add(ListItem().Match(line) is { Success: true } m ? new HelpEntry(m.Groups["key"].Value, m.Groups["text"].Value) : new HelpEntry(line, ""));
            else if (entries.Count > 0 || line.StartsWith('#')) break; // the list ended, or a section began before any list
        }
        return entries;
    }

    /// <summary>The words of the page that look like ids, less those that are not (cmdlet nouns, type names).</summary>
    public IReadOnlySet<string> NamedIds(IReadOnlySet<string> notIds) =>
        lines.SelectMany(l => IdLike().Matches(l)).Select(m => m.Value).Where(w => !notIds.Contains(w)).ToHashSet();
}
