namespace VirtualNetworking.PowerShell.Tests;

/// <summary>Checks that find offenders: a failure names every one in full (xunit cuts long collection items short).</summary>
public static class Found
{
    public static void Nothing(IEnumerable<string> found, string what)
    {
        var offenders = found.ToList();
        Assert.True(offenders.Count == 0, $"{what}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", offenders)}");
    }
}
