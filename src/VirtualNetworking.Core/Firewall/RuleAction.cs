namespace VirtualNetworking.Core.Firewall;

/// <summary>What a matching rule does. Every rule also counts packets (libvirt's "counter") before acting.</summary>
public abstract record RuleAction;

public sealed record AcceptAction : RuleAction;

public sealed record RejectAction : RuleAction;

/// <summary>Leave guest_nat without NAT (local broadcast/multicast).</summary>
public sealed record ReturnAction : RuleAction;

public sealed record JumpAction(string Chain) : RuleAction;

/// <summary>masquerade [to :ports]; ports only on tcp/udp rules.</summary>
public sealed record MasqueradeAction(NatPortRange? Ports) : RuleAction;

/// <summary>dnat to address[:port]; without a port the destination port is kept (a port forward).</summary>
public sealed record DnatAction(System.Net.IPAddress Address, int? Port) : RuleAction;

/// <summary>snat to address[-address][:ports] (&lt;nat&gt;&lt;address&gt;).</summary>
public sealed record SnatAction(NatAddressRange Addresses, NatPortRange? Ports) : RuleAction;

/// <summary>
/// dnat to the guest and port that the maps of <paramref name="Kind"/> (<see cref="FirewallLayout.AddressMap"/>,
/// <see cref="FirewallLayout.PortMap"/>) give for the connection's key; no match without one.
/// </summary>
public sealed record ForwardDnatAction(NftFamily Family, ForwardKind Kind) : RuleAction;
