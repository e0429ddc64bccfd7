namespace VirtualNetworking.Core.Tests.Conformance;

/// <summary>One line of libvirt's conformance cases.tsv (columns: family, case, result, then family-specific ones).</summary>
public sealed record ConformanceCase(string Family, string Name, string Result, IReadOnlyList<string> Columns)
{
    /// <summary>Files named in column <paramref name="index"/> (space separated; "-" = none), relative to the data folder.</summary>
    public IReadOnlyList<string> Files(int index) =>
        index < Columns.Count && Columns[index] != "-" ? Columns[index].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
}

/// <summary>
/// Locates libvirt's conformance data (never copied into this project): $VNET_CONFORMANCE_DIR, else a
/// shared/conformance/libvirt folder beside the repository (or any ancestor) of the test assembly.
/// When it is absent the tests are skipped, or fail when CI=true.
/// </summary>
public static class ConformanceData
{
    public const string EnvironmentVariable = "VNET_CONFORMANCE_DIR";
    /// <summary>The single theory row yielded when the data is missing, so that the skip/failure is reported.</summary>
    public const string MissingRow = "(data missing)";

    private static readonly string? Located = Locate(out searched);
    private static readonly string searched;

    public static IReadOnlyList<ConformanceCase> Cases { get; } = Located is null ? [] : ReadCases(Path.Combine(Located, "cases.tsv"));

    /// <summary>Case names of one family for [MemberData]; one <see cref="MissingRow"/> row when the data is absent.</summary>
    public static TheoryData<string> CaseNames(string family)
    {
        var names = Cases.Where(c => c.Family == family).Select(c => c.Name).ToList();
        return new TheoryData<string>(names.Count > 0 ? names : [MissingRow]);
    }

    /// <summary>The case, or skip (fail on CI) with a clear message when the data is absent.</summary>
    /// <summary>The xmlconf cases for which libvirt's data has a dnsmasq .conf (the others start no dnsmasq or lack current data).</summary>
    public static TheoryData<string> DnsmasqCaseNames()
    {
        var names = Cases.Where(c => c.Family == "xmlconf" && c.Files(4).Any(f => f.EndsWith(".conf", StringComparison.Ordinal)))
            .Select(c => c.Name).ToList();
        return new TheoryData<string>(names.Count > 0 ? names : [MissingRow]);
    }

    public static ConformanceCase Require(string family, string name)
    {
        if (Located is null)
        {
            var message = $"libvirt conformance data not found at {searched}; set {EnvironmentVariable}";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                Assert.Fail(message + " (CI=true: the conformance data is required)");
            Skip.If(true, message);
        }
        return Cases.Single(c => c.Family == family && c.Name == name);
    }

    public static string ReadText(string relativePath) => File.ReadAllText(Path.Combine(Located!, relativePath));

    private static string? Locate(out string searchedDescription)
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            searchedDescription = configured;
            return File.Exists(Path.Combine(configured, "cases.tsv")) ? configured : null;
        }
        var tried = new List<string>();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "conformance", "libvirt");
            tried.Add(candidate);
            if (File.Exists(Path.Combine(candidate, "cases.tsv")))
            {
                searchedDescription = candidate;
                return candidate;
            }
        }
        searchedDescription = string.Join(", ", tried);
        return null;
    }

    private static List<ConformanceCase> ReadCases(string path) =>
        File.ReadLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .Select(columns => new ConformanceCase(columns[0], columns[1], columns[2], columns))
            .ToList();
}
