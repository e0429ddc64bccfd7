using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;
using static VirtualNetworking.Core.Health.HealthCheckIds;

namespace VirtualNetworking.Core.Health;

public enum RepairResult
{
    /// <summary>Done, and the check passes now.</summary>
    Repaired,
    /// <summary>Tried, and the check still fails (Detail says why).</summary>
    Failed,
    /// <summary>Not ours to change (a foreign firewall, another link's route) or needs a restart: Detail says what to do.</summary>
    Skipped,
}

/// <summary>One thing Repair-VNetwork did (or left) for a failing check.</summary>
public sealed record RepairOutcome(string Network, string Check, string Action, RepairResult Result, string Detail);

/// <summary>
/// Repair-VNetwork: puts back what Test-VNetworkHealth finds missing from a running network — the bridge (with its
/// addresses, routes and the network's ports), its link state, forwarding, our firewall rules, the daemon's service —
/// without a restart, so attached guests keep their links and their leases (kept in the daemon's lease files). What is
/// not ours (foreign firewalls, other links' routes, sysctls of other links) is reported with its remedy, never changed.
/// </summary>
public sealed class NetworkRepair(EnginePorts ports, Func<NetworkHealth> health, FirewallRestore firewallRestore)
{
    private readonly ILiveNetworkStore live = ports.LiveNetworks;
    private readonly IHostLinks host = ports.Links;
    private readonly ISysctl sysctl = ports.Sysctl;

    /// <param name="shouldProcess">Asked before each change with its description (-WhatIf/-Confirm); false skips it.</param>
    public IReadOnlyList<RepairOutcome> Repair(string name, Func<string, bool> shouldProcess)
    {
        // A healthy or inactive network needs no right to change the host: only a repair does.
        var first = Failing(name);
        if (first.Count == 0 || first.Any(r => r.Check == NetworkActive)) return Unchanged(name, first);
        ports.Users.EnsureCanChange();
        using var _ = live.Lock();
        // Looked at again under the lock: a start or stop may have come between.
        var failing = Failing(name);
        if (failing.Count == 0 || failing.Any(r => r.Check == NetworkActive)) return Unchanged(name, failing);
        var d = live.Load(name)!.Definition;
        var byCheck = failing.ToDictionary(r => r.Check);
        var attempted = new List<(HealthResult Check, string Action)>();
        var outcomes = new List<RepairOutcome>();

        // One action for the failing checks among those it answers for.
        void Try(string action, Action work, params string[] checks)
        {
            var covered = checks.Select(byCheck.GetValueOrDefault).OfType<HealthResult>().ToList();
            if (covered.Count == 0) return;
            foreach (var check in covered) byCheck.Remove(check.Check);
            if (!shouldProcess(action)) return;
            try
            {
                work();
                attempted.AddRange(covered.Select(c => (c, action)));
            }
            catch (NetworkProblemException e)
            {
                var why = string.Join(" ", e.Problems.Select(p => p.Message));
                outcomes.AddRange(covered.Select(c => new RepairOutcome(name, c.Check, action, RepairResult.Failed, why)));
            }
        }

        var bridge = d.Bridge?.Name;
        if (byCheck.ContainsKey(BridgePresent))
        {
            // A missing bridge fails the checks that need it ("not checked"): recreating it answers for them all.
            if (NetworkModeNames.IsManagedBridge(d.Mode) && bridge is not null && host.GetLink(bridge) is null)
                Try($"recreate bridge {bridge} with its addresses and routes, and attach the network's ports", () => RecreateBridge(d, bridge),
                    BridgePresent, BridgeUp, BridgeAddresses, BridgeMacAddress);
        }
        else
        {
            Try($"set bridge {bridge} up", () => host.SetUp(bridge!), BridgeUp);
            Try($"add the missing addresses and routes of bridge {bridge}", () => AddMissingAddresses(d, bridge!), BridgeAddresses);
        }
        Try("turn forwarding on", () =>
        {
            foreach (var key in NetworkRuntime.ForwardingKeys(d)) sysctl.Write(key, "1");
        }, Forwarding);
        Try("apply the network's firewall rules again", () =>
        {
            if (firewallRestore.RestoreLocked([name]).Problems is { Count: > 0 } problems) throw new NetworkProblemException(problems);
        }, FirewallRules);
        Try("serve DHCP, DNS and router advertisements on the bridge (starting vnetd if needed)", () => ports.Dhcp.Serve(d),
            DaemonRunning, DhcpServed, Dhcp6Served, DnsServed, RouterAdvertisementsServed);

        // What no action answered for: not the network's own, or it needs a restart.
        outcomes.AddRange(byCheck.Values.Select(Skip));

        // Each action is judged by the checks it was for, looked at again now.
        var after = attempted.Count == 0 ? [] : health().Check(name).ToDictionary(r => r.Check);
        foreach (var (check, action) in attempted)
        {
            // Not emitted now (the daemon runs, so its serving checks are back; the bridge is back): nothing fails.
            var now = after.GetValueOrDefault(check.Check);
            outcomes.Add(now is null || now.Status == HealthStatus.Pass
                ? new(name, check.Check, action, RepairResult.Repaired, now?.Detail ?? "Done.")
                : new(name, check.Check, action, RepairResult.Failed, $"Still failing: {now.Detail}"));
        }
        // In the order the checks came.
        return [.. outcomes.OrderBy(o => failing.FindIndex(f => f.Check == o.Check))];
    }

    private List<HealthResult> Failing(string name) => [.. health().Check(name).Where(r => r.Status != HealthStatus.Pass)];

    private static IReadOnlyList<RepairOutcome> Unchanged(string name, List<HealthResult> failing) => failing.Count == 0 ? []
        : [new(name, NetworkActive, "none", RepairResult.Skipped, $"Network '{name}' is not active; Repair-VNetwork mends running networks. Start it with Start-VNetwork.")];

    private static RepairOutcome Skip(HealthResult check) =>
        new(check.Network, check.Check, "none", RepairResult.Skipped,
            check.Check switch
            {
                BridgeMacAddress => $"{check.Detail} Changing it needs a restart: {check.Remedy}",
                BridgePresent => $"{check.Detail} {check.Remedy}",
                BridgeUp or BridgeAddresses => $"{check.Detail} Fix {BridgePresent} first.",
                _ => $"Not changed by Repair-VNetwork (not the network's own): {check.Detail} {check.Remedy}",
            });

    /// <summary>The start's bridge steps again; the journal already holds the bridge's undo (DeleteLink) from the start.</summary>
    private void RecreateBridge(NetworkDefinition d, string bridge)
    {
        host.CreateBridge(bridge, d.MacAddress, d.Mtu, d.Bridge?.Stp ?? true, TimeSpan.FromSeconds(d.Bridge?.Delay ?? 0));
        NetworkRuntime.SetBridgeSysctls(sysctl, bridge, d.Ips.Any(ip => ip.IsIPv6));
        AddMissingAddresses(d, bridge);
        host.SetUp(bridge);
        AddMissingRoutes(d, bridge);
        // The guests' links outlived the bridge, detached: attach them to the new one.
        foreach (var port in ports.PortRecords.LoadPorts(d.Name))
            if (host.GetLink(port.Name) is not null) ports.GuestLinks.AttachPort(port.Name, bridge);
        // The daemon's sockets are bound to the old bridge's ifindex: serving again binds them to the new one.
        if (NetworkRuntime.ServedByDaemon(d)) ports.Dhcp.Serve(d);
    }

    private void AddMissingAddresses(NetworkDefinition d, string bridge)
    {
        var link = host.GetLink(bridge) ?? throw new NetworkProblemException(ErrorIds.LinkNotFound, ProblemCategory.ObjectNotFound,
            $"Bridge {bridge} of network '{d.Name}' disappeared during the repair. Run Repair-VNetwork again.", d.Name);
        var present = host.GetAddresses(link.Index).Select(a => a.Network).ToHashSet();
        foreach (var ip in d.Ips)
        {
            var address = new IpNetwork(ip.Address, NetworkValidator.Subnet(ip).PrefixLength);
            if (!present.Contains(address)) host.AddAddress(bridge, address);
        }
        // Routes through a gateway on the subnet went with its address.
        AddMissingRoutes(d, bridge);
    }

    private void AddMissingRoutes(NetworkDefinition d, string bridge)
    {
        if (host.GetLink(bridge) is not { IsUp: true } link) return; // routes need the link up; RecreateBridge adds them after SetUp
        var routes = host.GetRoutes(link.Index);
        foreach (var route in d.Routes)
        {
            var destination = new IpNetwork(route.Address, NetworkRuntime.RoutePrefix(route)).Canonical;
            if (!routes.Any(r => r.Destination == destination && Equals(r.Gateway, route.Gateway)))
                host.AddRoute(bridge, destination, route.Gateway, route.Metric is { } m ? (uint)m : null);
        }
    }
}
