namespace VirtualNetworking.Core.Ports;

/// <summary>A network the daemon serves now, as its status reports it.</summary>
/// <param name="InterfaceIndex">The bridge's ifindex the daemon's sockets are bound to (a recreated bridge has a new one).</param>
/// <param name="RouterAdvertisements">The daemon sends the network's router advertisements.</param>
/// <param name="Dhcp6">The daemon serves the network's DHCPv6.</param>
public sealed record ServedNetwork(string Name, string Bridge, int InterfaceIndex, bool Dhcp, bool Dns, bool RouterAdvertisements = false, bool Dhcp6 = false);

/// <summary>The output of iptables-nft-save, ip6tables-nft-save, iptables-legacy-save and ip6tables-legacy-save.</summary>
public sealed record IptablesSaves(string? NftV4, string? NftV6, string? LegacyV4, string? LegacyV6)
{
    public static IptablesSaves None { get; } = new(null, null, null, null);
}

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
    /// <summary>
    /// The iptables tools' own view: iptables-nft-save for a family when asked (the ruleset holds a table of iptables'
    /// names; it keeps the arguments of matches nft's JSON shows only by name), legacy saves when the kernel holds legacy
    /// tables (they are not in the nftables ruleset at all); a part is null when its tool is missing or not asked.
    /// </summary>
    IptablesSaves Iptables(bool nftV4, bool nftV6);
}
