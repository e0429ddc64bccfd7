using System.Diagnostics;

namespace VirtualNetworking.Linux.Tests.Dhcp;

/// <summary>
/// Real DHCP clients run inside a guest namespace with a script of ours that only records what they were given
/// (never the distribution's script, which would rewrite the machine's resolv.conf). Bounded in time; every
/// process started here is ended by its own PID.
/// </summary>
internal static class DhcpClientRun
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    /// <summary>busybox udhcpc: the variables of its "bound" call, or null when it got no lease.</summary>
    public static IReadOnlyDictionary<string, string>? Udhcpc(GuestNamespace guest, string workDirectory, string? requestIp = null)
    {
        var output = Path.Combine(workDirectory, $"udhcpc-{guest.Name}-{Guid.NewGuid():N}.env");
        var script = WriteScript(workDirectory, "udhcpc", $"[ \"$1\" = bound ] && env > '{output}'\nexit 0\n");
        string[] arguments = ["netns", "exec", guest.Name, "udhcpc", "-f", "-q", "-n", "-i", "eth0", "-s", script, "-t", "4", "-T", "1", "-A", "1", "-O", "mtu",
            .. requestIp is null ? Array.Empty<string>() : ["-r", requestIp]];
        using var process = StartIp(arguments);
        WaitOrKill(process, Limit);
        return File.Exists(output) ? ReadEnv(output) : null;
    }

    /// <summary>ISC dhclient in the foreground: the variables of its BOUND call, or null when none came in time.</summary>
    public static IReadOnlyDictionary<string, string>? Dhclient(GuestNamespace guest, string workDirectory)
    {
        var output = Path.Combine(workDirectory, $"dhclient-{guest.Name}.env");
        var script = WriteScript(workDirectory, "dhclient", $"case \"$reason\" in BOUND|REBOOT) env > '{output}.tmp' && mv '{output}.tmp' '{output}';; esac\nexit 0\n");
        using var process = StartIp(["netns", "exec", guest.Name, "dhclient", "-d", "-1", "-sf", script,
            "-lf", Path.Combine(workDirectory, "dhclient.leases"), "-pf", Path.Combine(workDirectory, "dhclient.pid"), "eth0"]);
        var deadline = DateTime.UtcNow + Limit;
        while (!File.Exists(output) && !process.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(100);
        // -d keeps dhclient running after BOUND; it is ours, ended by PID (ip netns exec execs it in place).
        if (!process.HasExited) process.Kill();
        process.WaitForExit();
        return File.Exists(output) ? ReadEnv(output) : null;
    }

    private static Process StartIp(string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void WaitOrKill(Process process, TimeSpan limit)
    {
        if (!process.WaitForExit(limit)) process.Kill();
        process.WaitForExit();
    }

    private static string WriteScript(string directory, string name, string body)
    {
        var path = Path.Combine(directory, name + "-script.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static Dictionary<string, string> ReadEnv(string path) =>
        File.ReadAllLines(path).Select(l => l.Split('=', 2)).Where(p => p.Length == 2)
            .GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.First()[1]);
}
