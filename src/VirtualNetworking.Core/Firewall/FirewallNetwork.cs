using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// What the firewall needs to know about one network; everything else in the definition is irrelevant here.
/// The bridge's ifindex is deliberately absent: it exists only once the bridge does, so the planner takes it
/// as a parameter when building the apply transaction.
/// </summary>
/// <param name="Tag">Identifies this network's rules (their nft comment); see <see cref="FirewallTag"/>.</param>
/// <param name="Subnets">Canonical subnets of the network's &lt;ip&gt; elements, in document order.</param>
/// <param name="Ipv6WithoutGateway">&lt;network ipv6='yes'&gt;: IPv6 between guests although no IPv6 &lt;ip&gt; exists.</param>
/// <param name="NatAddresses">&lt;nat&gt;&lt;address&gt;: SNAT to these addresses instead of masquerading.</param>
/// <param name="ForwardDevice">&lt;forward dev&gt;: the only uplink traffic may leave/enter through; null = any.</param>
public sealed record FirewallNetwork(
    string Name,
    string Tag,
    string BridgeName,
    NetworkMode Mode,
    IReadOnlyList<IpNetwork> Subnets,
    bool Ipv6WithoutGateway = false,
    bool NatIpv6 = false,
    NatAddressRange? NatAddresses = null,
    NatPortRange? NatPorts = null,
    string? ForwardDevice = null,
    IReadOnlyList<ForwardedPort>? PortForwards = null)
{
    public IReadOnlyList<ForwardedPort> Forwards => PortForwards ?? [];

    /// <summary>The forwards the firewall applies: a nat or route network's (validation refuses them elsewhere).</summary>
    public PortForwardElements ForwardElements => Mode is NetworkMode.Nat or NetworkMode.Routed ? PortForwardElements.Of(Forwards) : PortForwardElements.Empty;

    /// <summary>libvirt adds rules only for these modes; open, bridge and the macvtap modes get none.</summary>
    public bool HasRules => Mode is NetworkMode.Nat or NetworkMode.Routed or NetworkMode.Isolated;

    public bool UsesIpv6 => Ipv6WithoutGateway || Subnets.Any(s => s.IsIPv6);

    /// <summary>A NAT network masquerades its IPv4 subnets, and its IPv6 ones only with &lt;nat ipv6='yes'/&gt;.</summary>
    public bool Masquerades(IpNetwork subnet) => Mode == NetworkMode.Nat && (!subnet.IsIPv6 || NatIpv6);

    /// <summary>
    /// Subnets whose guests the host routes to and from without NAT: libvirt's routing rules accept any connection from
    /// outside to them.
    /// </summary>
    public IEnumerable<IpNetwork> RoutedSubnets => Mode is NetworkMode.Nat or NetworkMode.Routed ? Subnets.Where(s => !Masquerades(s)) : [];

    /// <summary>Source ports of masqueraded tcp/udp; libvirt's default keeps guests off privileged ports.</summary>
    public NatPortRange EffectiveNatPorts => NatPorts ?? NatPortRange.Default;
}

/// <summary>&lt;nat&gt;&lt;address start end&gt;; End null = a single address.</summary>
public sealed record NatAddressRange(IPAddress Start, IPAddress? End);

/// <summary>&lt;nat&gt;&lt;port start end&gt;.</summary>
public sealed record NatPortRange(int Start, int End)
{
    public static NatPortRange Default { get; } = new(1024, 65535);

    /// <summary>libvirt writes a single port when the range is empty or inverted (its "simplify" branch).</summary>
    public bool IsSinglePort => !(Start < End && End < 65536);
}

/// <summary>A port forward as the firewall needs it: the ranges resolved (guest defaults applied), prefixes parsed.</summary>
/// <param name="Protocol">"tcp" or "udp".</param>
/// <param name="HostAddress">Null = every address of the host.</param>
/// <param name="Sources">Who may connect; empty = anyone.</param>
public sealed record ForwardedPort(
    string Protocol, IPAddress? HostAddress, int HostFirst, int HostLast, IPAddress Guest, int GuestFirst, int GuestLast, IReadOnlyList<IpNetwork> Sources)
{
    /// <summary>The opt-in forward on 127.0.0.1 (or another loopback address): only the host's own connections reach it.</summary>
    public bool IsLoopback => HostAddress is { } host && IPAddress.IsLoopback(host);
}
