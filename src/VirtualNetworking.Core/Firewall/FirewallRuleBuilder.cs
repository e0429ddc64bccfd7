using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using static VirtualNetworking.Core.Firewall.FirewallLayout;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// A network's rules, following libvirt's network_nftables.c function by function (general rules, then per
/// &lt;ip&gt; in document order: masquerading or routing rules), plus our port forwards and DHCP/DNS accepts at the end.
/// </summary>
public static class FirewallRuleBuilder
{
    private static readonly IpNetwork Ipv4Broadcast = IpNetwork.Parse("255.255.255.255/32");
    private static readonly IpNetwork Ipv4LocalMulticast = IpNetwork.Parse("224.0.0.0/24");
    private static readonly IpNetwork Ipv6LocalMulticast = IpNetwork.Parse("ff02::/16");

    public static FirewallPlan Build(FirewallNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        var rules = new List<FirewallRule>();
        if (!network.HasRules) return new FirewallPlan(network, rules);

        AddGeneralRules(rules, NftFamily.Ip);
        if (network.UsesIpv6) AddGeneralRules(rules, NftFamily.Ip6);

        foreach (var subnet in network.Subnets)
        {
            if (network.Masquerades(subnet))
                AddMasqueradingRules(rules, network, subnet);
            else if (network.Mode is NetworkMode.Nat or NetworkMode.Routed)
                AddRoutingRules(rules, network, subnet);
        }

        if (network.Mode is NetworkMode.Nat or NetworkMode.Routed)
            AddHairpinRules(rules, network);

        AddLocalServiceRules(rules, NftFamily.Ip);
        if (network.UsesIpv6) AddLocalServiceRules(rules, NftFamily.Ip6);
        return new FirewallPlan(network, rules);
    }

    /// <summary>Forwarding to/from the bridge is rejected unless a later (higher) rule allows it; guests may talk to each other.</summary>
    private static void AddGeneralRules(List<FirewallRule> rules, NftFamily family)
    {
        rules.Add(new(family, GuestOutput, [new BridgeMatch(InterfaceDirection.In)], new RejectAction()));
        rules.Add(new(family, GuestInput, [new BridgeMatch(InterfaceDirection.Out)], new RejectAction()));
        rules.Add(new(family, GuestCross, [new BridgeMatch(InterfaceDirection.In), new BridgeMatch(InterfaceDirection.Out)], new AcceptAction()));
    }

    private static void AddMasqueradingRules(List<FirewallRule> rules, FirewallNetwork network, IpNetwork subnet)
    {
        var family = FamilyOf(subnet);
        var dev = network.ForwardDevice;
        rules.Add(ForwardAllowOut(family, subnet, dev));

        // Replies only: new connections from outside into a NAT network are not forwarded.
        rules.Add(new(family, GuestInput,
            [.. IfName(InterfaceDirection.In, dev), new BridgeMatch(InterfaceDirection.Out),
             new AddressMatch(AddressField.Destination, subnet), new RelatedOrEstablishedMatch()],
            new AcceptAction()));

        var snat = network.NatAddresses is { } range && range.Start.AddressFamily == subnet.Address.AddressFamily ? range : null;
        rules.Add(Masquerade(family, subnet, dev, protocol: null, snat, ports: null));
        // Source ports below 1024 would let guests pass "privileged port" checks (e.g. NFS) on other hosts.
        rules.Add(Masquerade(family, subnet, dev, "udp", snat, network.EffectiveNatPorts));
        rules.Add(Masquerade(family, subnet, dev, "tcp", snat, network.EffectiveNatPorts));

        // Local broadcast/multicast never leaves the link; NATing it breaks strict DHCP clients.
        if (!subnet.IsIPv6) rules.Add(DontMasquerade(family, subnet, dev, Ipv4Broadcast));
        rules.Add(DontMasquerade(family, subnet, dev, subnet.IsIPv6 ? Ipv6LocalMulticast : Ipv4LocalMulticast));
    }

    /// <summary>Routed: both directions allowed for the subnet, no conntrack restriction.</summary>
    private static void AddRoutingRules(List<FirewallRule> rules, FirewallNetwork network, IpNetwork subnet)
    {
        var family = FamilyOf(subnet);
        rules.Add(ForwardAllowOut(family, subnet, network.ForwardDevice));
        rules.Add(new(family, GuestInput,
            [new AddressMatch(AddressField.Destination, subnet), .. IfName(InterfaceDirection.In, network.ForwardDevice),
             new BridgeMatch(InterfaceDirection.Out)],
            new AcceptAction()));
    }

    private static FirewallRule ForwardAllowOut(NftFamily family, IpNetwork subnet, string? dev) =>
        new(family, GuestOutput,
            [new AddressMatch(AddressField.Source, subnet), new BridgeMatch(InterfaceDirection.In), .. IfName(InterfaceDirection.Out, dev)],
            new AcceptAction());

    private static FirewallRule Masquerade(NftFamily family, IpNetwork subnet, string? dev, string? protocol, NatAddressRange? snat, NatPortRange? ports)
    {
        List<RuleMatch> matches = protocol is null ? [] : [new L4ProtocolMatch(protocol)];
        matches.Add(new AddressMatch(AddressField.Source, subnet));
        matches.Add(new AddressMatch(AddressField.Destination, subnet, Negated: true));
        matches.AddRange(IfName(InterfaceDirection.Out, dev));
        RuleAction action = snat is null ? new MasqueradeAction(ports) : new SnatAction(snat, ports);
        return new(family, GuestNat, matches, action);
    }

    private static FirewallRule DontMasquerade(NftFamily family, IpNetwork subnet, string? dev, IpNetwork destination) =>
        new(family, GuestNat,
            [.. IfName(InterfaceDirection.Out, dev), new AddressMatch(AddressField.Source, subnet), new AddressMatch(AddressField.Destination, destination)],
            new ReturnAction());


    /// <summary>
    /// Our addition, for port forwards: masquerading of a forwarded connection whose client is a guest of the subnet
    /// the forward sends to (hairpin), so that the guest's reply returns through the host's conntrack instead of
    /// straight to the client; and of the host's own connections to a forward on 127.0.0.1 (the opt-in), which the
    /// guest cannot answer (the runtime turns route_localnet on for the bridge). The forwards themselves are elements
    /// of shared maps (<see cref="SharedRules"/>), so a network's rules do not depend on its forwards.
    /// </summary>
    private static void AddHairpinRules(List<FirewallRule> rules, FirewallNetwork network)
    {
        foreach (var subnet in network.Subnets)
            rules.Add(new(FamilyOf(subnet), GuestNat,
                [new BridgeMatch(InterfaceDirection.Out), new AddressMatch(AddressField.Source, subnet), new AddressMatch(AddressField.Destination, subnet), new DnatStatusMatch()],
                new MasqueradeAction(null), IsLibvirtRule: false));
        if (network.Subnets.Any(s => !s.IsIPv6))
            rules.Add(new(NftFamily.Ip, GuestNat,
                [new BridgeMatch(InterfaceDirection.Out), new AddressMatch(AddressField.Source, Loopback(NftFamily.Ip)), new DnatStatusMatch()],
                new MasqueradeAction(null), IsLibvirtRule: false));
    }

    /// <summary>
    /// The rules every network shares, per family and chain in evaluation order: the port forwards' DNAT of connections to
    /// a host address (fib daddr type local, so traffic passing through the host keeps its destination) arriving from
    /// outside or from guests (guest_dnat; never to loopback) and made by the host itself (guest_dnat_output; a key names
    /// loopback only for a forward on it, and the maps of forwards on every address never take it), one lookup per kind
    /// of key; and the forward chain's accept of exactly the forwarded connections, ahead of every network's rejects. An
    /// apply rewrites them after flushing their chains.
    /// </summary>
    public static IReadOnlyList<FirewallRule> SharedRules(NftFamily family)
    {
        var notLoopback = new AddressMatch(AddressField.Destination, Loopback(family), Negated: true);
        var local = new LocalDestinationMatch();
        var kinds = new[] { ForwardKind.HostAddress, ForwardKind.Sourced, ForwardKind.AnyAddress };
        return
        [
            .. kinds.Select(kind => new FirewallRule(family, GuestDnat, [new TcpOrUdpMatch(), notLoopback, local], new ForwardDnatAction(family, kind), IsLibvirtRule: false)),
            .. kinds.Select(kind => new FirewallRule(family, GuestDnatOutput,
                kind == ForwardKind.AnyAddress ? [new TcpOrUdpMatch(), notLoopback, local] : [new TcpOrUdpMatch(), local], new ForwardDnatAction(family, kind), IsLibvirtRule: false)),
            new(family, Forward, [new DnatStatusMatch(), new ForwardedGuestMatch(family)], new AcceptAction(), IsLibvirtRule: false),
        ];
    }

    /// <summary>
    /// Our addition: DHCP and DNS from guests to the host's server, DHCP replies back. libvirt relies on its
    /// table's accept policy; we state them so they are visible and survive a stricter policy in our own table.
    /// (They cannot override another table's drop: see docs/firewall.md.)
    /// </summary>
    private static void AddLocalServiceRules(List<FirewallRule> rules, NftFamily family)
    {
        var (dhcpServer, dhcpClient) = family == NftFamily.Ip ? (67, 68) : (547, 546);
        foreach (var (protocol, port) in new[] { ("udp", dhcpServer), ("udp", 53), ("tcp", 53) })
            rules.Add(new(family, Input, [new BridgeMatch(InterfaceDirection.In), new DestinationPortMatch(protocol, port)], new AcceptAction(), IsLibvirtRule: false));
        rules.Add(new(family, Output, [new BridgeMatch(InterfaceDirection.Out), new DestinationPortMatch("udp", dhcpClient)], new AcceptAction(), IsLibvirtRule: false));
    }

    private static IEnumerable<RuleMatch> IfName(InterfaceDirection direction, string? dev) =>
        dev is null ? [] : [new InterfaceNameMatch(direction, dev)];

    private static NftFamily FamilyOf(IpNetwork subnet) => subnet.IsIPv6 ? NftFamily.Ip6 : NftFamily.Ip;
}
