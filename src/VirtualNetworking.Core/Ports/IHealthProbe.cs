namespace VirtualNetworking.Core.Ports;

/// <summary>A network the daemon serves now, as its status reports it.</summary>
/// <param name="InterfaceIndex">The bridge's ifindex the daemon's sockets are bound to (a recreated bridge has a new one).</param>
public sealed record ServedNetwork(string Name, string Bridge, int InterfaceIndex, bool Dhcp, bool Dns);

/// <summary>
/// What health checks read that no other port gives. Read only; every call looks again (nothing cached), and a fact
/// that cannot be read is null rather than an error, so one unreadable source does not hide the other checks.
/// </summary>
public interface IHealthProbe
{
    /// <summary>What the daemon of this state root serves; null when no daemon answers.</summary>
    IReadOnlyList<ServedNetwork>? DaemonNetworks();
    /// <summary>The whole ruleset, as `nft -j list ruleset` prints it; null when nftables cannot be read.</summary>
    string? Ruleset();
    /// <summary>iptables-legacy-save and ip6tables-legacy-save's output; null when the host has no legacy tables.</summary>
    string? LegacyIptables();
    /// <summary>The links that have IPv6 routes learnt from router advertisements.</summary>
    IReadOnlyList<string> LinksWithRaRoutes();
}
