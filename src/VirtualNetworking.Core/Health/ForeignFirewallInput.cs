using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Health;

/// <summary>
/// What <see cref="ForeignFirewall.Analyze"/> needs to know about one network and the host's firewall, gathered by
/// the health probes (this type does no OS call).
/// </summary>
/// <param name="Bridge">The network's bridge (virbr0).</param>
/// <param name="BridgeAddresses">The bridge's addresses with their prefixes (192.168.122.1/24): the address is where guests
/// ask DNS, the prefix their subnet.</param>
/// <param name="Forwards">The mode forwards guests' traffic (Nat, Routed, Open; not Isolated).</param>
/// <param name="DnsServed">DNS is served on the bridge's addresses. (DHCP needs no flag: vnetd receives it on a packet
/// socket, ahead of netfilter, so no input chain can starve it.)</param>
/// <param name="NftRuleset">`nft -j list ruleset`; null when nft is unavailable.</param>
public sealed record ForeignFirewallInput(
    string Bridge,
    IReadOnlyList<IpNetwork> BridgeAddresses,
    bool Forwards,
    bool DnsServed,
    string? NftRuleset)
{
    /// <summary>
    /// `iptables-nft-save`; null when not installed. nft's JSON shows an iptables match it cannot translate
    /// (conntrack, addrtype, …) only by name; this text keeps its arguments, so these tables are read from it.
    /// </summary>
    public string? IptablesNftSave { get; init; }

    /// <summary>`ip6tables-nft-save`; null when not installed.</summary>
    public string? Ip6tablesNftSave { get; init; }

    /// <summary>`iptables-legacy-save`; null when not installed or no legacy table is loaded.</summary>
    public string? IptablesLegacySave { get; init; }

    /// <summary>`ip6tables-legacy-save`; null when not installed or no legacy table is loaded.</summary>
    public string? Ip6tablesLegacySave { get; init; }

    /// <summary>net/bridge/bridge-nf-call-iptables is 1; null when br_netfilter is not loaded.</summary>
    public bool? BridgeNfCallIptables { get; init; }

    /// <summary>net/bridge/bridge-nf-call-ip6tables is 1; null when br_netfilter is not loaded.</summary>
    public bool? BridgeNfCallIp6tables { get; init; }

    /// <summary>
    /// The interface guests' traffic leaves by (the default route's or the forward device); null when unknown,
    /// and then a rule naming an output interface is a Maybe for it.
    /// </summary>
    public string? OutsideInterface { get; init; }
}

/// <summary>The host's rulesets as <see cref="ForeignFirewall.Analyze(ForeignFirewallInput, ForeignFirewallTables)"/> reads them.</summary>
public sealed class ForeignFirewallTables
{
    internal ForeignFirewallTables(List<FirewallTable> tables, string? unreadable) => (Tables, Unreadable) = (tables, unreadable);

    internal List<FirewallTable> Tables { get; }
    /// <summary>Why nft's ruleset could not be read; null when it was.</summary>
    internal string? Unreadable { get; }
}
