using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;

namespace VirtualNetworking.Linux.Host;

/// <summary>
/// &lt;domain register='yes'&gt; with systemd-resolved, as libvirt does it: the bridge's DNS servers are the network's
/// addresses and its routing-only domain is ~DOMAIN (resolvectl dns / domain; revert forgets both). Only where resolved
/// runs (its runtime folder, under the state root like every path of ours, so a sandbox never registers) and only from
/// resolved's own network namespace: resolvectl names the link by its index, which in another namespace is another link.
/// </summary>
public sealed class ResolvedDnsRegistration(StatePaths paths) : IDnsRegistration
{
    private static readonly string[] ResolvectlCandidates = ["/usr/bin/resolvectl", "/bin/resolvectl"];
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    public string? Unavailable()
    {
        if (!Directory.Exists(Path.Combine(paths.Root, "run/systemd/resolve"))) return "systemd-resolved does not run on this host";
        var own = new FileInfo("/proc/thread-self/ns/net").LinkTarget;
        if (own is null || own != TryLinkTarget("/proc/1/ns/net"))
            return "this process runs in another network namespace than systemd-resolved, where the bridge is not the link resolved would change";
        return Resolvectl() is null ? $"resolvectl is not installed (looked for {string.Join(", ", ResolvectlCandidates)})" : null;
    }

    public void Register(string bridge, IReadOnlyList<IPAddress> servers, string domain)
    {
        Run(bridge, ["dns", bridge, .. servers.Select(s => s.ToString())]);
        Run(bridge, ["domain", bridge, "~" + domain]);
    }

    public void Unregister(string bridge)
    {
        // resolved forgets a link that is gone, and a host without resolved has nothing to forget.
        if (Unavailable() is not null || !NetworkInterface.GetAllNetworkInterfaces().Any(i => i.Name == bridge)) return;
        Run(bridge, ["revert", bridge]);
    }

    private static string? Resolvectl() => ResolvectlCandidates.FirstOrDefault(File.Exists);

    private static string? TryLinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static void Run(string bridge, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(Resolvectl()!) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var command = $"resolvectl {string.Join(' ', arguments)}";
        using var process = Process.Start(start) ?? throw Failed(bridge, command, "it did not start");
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill();
            throw Failed(bridge, command, $"it did not finish within {CommandTimeout.TotalSeconds} s");
        }
        if (process.ExitCode != 0) throw Failed(bridge, command, $"exit code {process.ExitCode}: {error.Result.Trim()}");
    }

    private static NetworkProblemException Failed(string bridge, string command, string why) =>
        new(ErrorIds.HostOperationFailed, ProblemCategory.ResourceUnavailable,
            $"Registering the DNS server of bridge {bridge} with systemd-resolved failed: '{command}': {why}. Check that systemd-resolved runs (systemctl status systemd-resolved), or remove register='yes' from the network's <domain>.",
            bridge);
}
