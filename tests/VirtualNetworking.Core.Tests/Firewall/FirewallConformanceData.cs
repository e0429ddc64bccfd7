namespace VirtualNetworking.Core.Tests.Firewall;

/// <summary>
/// Locates libvirt's firewall conformance corpus: env VNET_CONFORMANCE_DIR, else &lt;repo&gt;/../shared/conformance/libvirt.
/// Missing data skips the tests with a reason, except in CI (CI=true), where it is a failure.
/// </summary>
internal static class FirewallConformanceData
{
    public static string? Directory { get; } = Locate();

    /// <summary>The `firewall` lines of cases.tsv: case name, input XML, expected output (paths relative to the corpus).</summary>
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        if (Directory is null) { data.Add("(corpus missing)", "", ""); return data; }
        foreach (var line in File.ReadLines(Path.Combine(Directory, "cases.tsv")))
        {
            var columns = line.Split('\t');
            if (columns is ["firewall", var name, "success", var input, var expected, ..])
                data.Add(name, input, expected);
        }
        return data;
    }

    public static string RequireDirectory()
    {
        var reason = "libvirt conformance data not found: set VNET_CONFORMANCE_DIR or check out shared/ beside the repository.";
        if (Directory is null && Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(reason);
        Skip.If(Directory is null, reason);
        return Directory!;
    }

    public static string ReadText(string relativePath) =>
        File.ReadAllText(Path.Combine(RequireDirectory(), relativePath.Replace('/', Path.DirectorySeparatorChar)));

    private static string? Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("VNET_CONFORMANCE_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment)) return System.IO.Directory.Exists(fromEnvironment) ? fromEnvironment : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "VirtualNetworking.slnx"))) continue;
            var candidate = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance", "libvirt"));
            return File.Exists(Path.Combine(candidate, "cases.tsv")) ? candidate : null;
        }
        return null;
    }
}
