using System.Diagnostics;

namespace VirtualNetworking.Linux.Tests.Nftables;

/// <summary>
/// Guards and helpers for tests that change the host's network state: they must run in a throwaway network
/// namespace (build/netns-run.sh), never in the machine's own.
/// </summary>
internal static class TestNamespace
{
    /// <summary>
    /// Fails unless VNET_TEST_NETNS is set, `ip netns identify` names it as this process's namespace, and (where
    /// /proc/1/ns/net is readable; sandboxes may deny it) our namespace inode differs from init's.
    /// </summary>
    public static void AssertIsolated()
    {
        var name = Environment.GetEnvironmentVariable("VNET_TEST_NETNS");
        var own = NamespaceId("/proc/self/ns/net");
        var init = NamespaceId("/proc/1/ns/net");
        var identified = string.IsNullOrEmpty(name) ? [] : Run("ip", "netns", "identify").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (string.IsNullOrEmpty(name) || own is null || own == init || !identified.Contains(name))
            Assert.Fail($"run inside a test namespace (bash build/netns-run.sh dotnet test …); VNET_TEST_NETNS='{name}', " +
                        $"ip netns identify: '{string.Join(' ', identified)}', net ns {own}, init's {init ?? "unreadable"}.");
    }

    /// <summary>A name unique to this test run (interface names must stay under 16 bytes).</summary>
    public static string UniqueName(string prefix) => prefix + Random.Shared.Next(0x10000, 0xFFFFF).ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Runs a tool (ip, nft, …) and returns stdout; a non-zero exit fails the test.</summary>
    public static string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        return output.Result;
    }

    private static string? NamespaceId(string path)
    {
        try { return new FileInfo(path).LinkTarget; } // readlink: "net:[inode]"
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
