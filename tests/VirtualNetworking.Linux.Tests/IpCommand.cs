using System.Diagnostics;
using System.Text.Json;

namespace VirtualNetworking.Linux.Tests;

/// <summary>Runs iproute2's `ip`: an independent witness of what the netlink client did, and namespace set-up.</summary>
internal static class IpCommand
{
    public static string Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"ip {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        return output;
    }

    /// <summary>`ip -d -j link show dev NAME` as JSON: the first (only) element.</summary>
    public static JsonElement ShowLink(string name) =>
        JsonDocument.Parse(Run("-d", "-j", "link", "show", "dev", name)).RootElement[0].Clone();
}
