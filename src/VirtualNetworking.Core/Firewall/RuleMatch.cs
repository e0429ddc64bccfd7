using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Firewall;

/// <summary>One condition of a rule. Renderers turn each into nft arguments or nft JSON.</summary>
public abstract record RuleMatch;

public enum InterfaceDirection
{
    /// <summary>Arriving through the interface (iif / iifname).</summary>
    In,
    /// <summary>Leaving through the interface (oif / oifname).</summary>
    Out,
}

/// <summary>The network's bridge, by ifindex (it exists when rules are added; a renamed bridge keeps matching).</summary>
public sealed record BridgeMatch(InterfaceDirection Direction) : RuleMatch;

/// <summary>The forward device, by name (it may not exist yet, like libvirt's iifname/oifname).</summary>
public sealed record InterfaceNameMatch(InterfaceDirection Direction, string Name) : RuleMatch;

public enum AddressField
{
    Source,
    Destination,
}

/// <summary>ip/ip6 saddr/daddr [!=] prefix; the family follows the prefix.</summary>
public sealed record AddressMatch(AddressField Field, IpNetwork Network, bool Negated = false) : RuleMatch;

/// <summary>meta l4proto tcp|udp.</summary>
public sealed record L4ProtocolMatch(string Protocol) : RuleMatch;

/// <summary>ct state related,established.</summary>
public sealed record RelatedOrEstablishedMatch : RuleMatch;

/// <summary>udp|tcp dport N, or N-Last (only in our additions: DHCP/DNS accepts, port forwards).</summary>
public sealed record DestinationPortMatch(string Protocol, int Port, int? Last = null) : RuleMatch;

/// <summary>fib daddr type local: addressed to the host itself, not passing through it.</summary>
public sealed record LocalDestinationMatch : RuleMatch;

/// <summary>ct status dnat: a connection a port forward redirected.</summary>
public sealed record DnatStatusMatch : RuleMatch;

/// <summary>meta l4proto { tcp, udp }: what a port map's value needs before it (an anonymous set: it takes a handle of its own).</summary>
public sealed record TcpOrUdpMatch : RuleMatch;

/// <summary>daddr . l4proto . th dport in <see cref="FirewallLayout.Forwarded"/>: a connection to a guest's forwarded port.</summary>
public sealed record ForwardedGuestMatch(NftFamily Family) : RuleMatch;
