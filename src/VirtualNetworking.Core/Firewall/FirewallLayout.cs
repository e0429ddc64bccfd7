using VirtualNetworking.Core.Addressing;

namespace VirtualNetworking.Core.Firewall;

/// <summary>
/// Our tables and chains: libvirt's layout (§4.1 of the reference), but in a table of our own so that an
/// installed libvirt and we never touch each other's rules. Input/output (DHCP/DNS accepts) and the DNAT chains (port forwards) are our additions.
/// </summary>
public static class FirewallLayout
{
    public const string TableName = "virtualnetworking";
    /// <summary>libvirt's table; used only when rendering libvirt's command lines for conformance.</summary>
    public const string LibvirtTableName = "libvirt_network";

    public const string Forward = "forward";
    public const string GuestOutput = "guest_output";
    public const string GuestInput = "guest_input";
    public const string GuestCross = "guest_cross";
    public const string GuestNat = "guest_nat";
    public const string Input = "input";
    public const string Output = "output";
    /// <summary>Port forwards: DNAT of connections arriving at the host, and of the host's own (our additions).</summary>
    public const string GuestDnat = "guest_dnat";
    public const string GuestDnatOutput = "guest_dnat_output";

    /// <summary>
    /// Port forwards' maps and set, shared by every network (a host port is forwarded by one network at most, and a guest
    /// address belongs to one active network). Per <see cref="ForwardKind"/>, a map from the key to the guest's address
    /// and one to its port; and the guests' forwarded ports, which the forward chain accepts.
    /// </summary>
    public const string ForwardAny = "forward_any";
    public const string ForwardAnyPorts = "forward_any_ports";
    public const string ForwardHost = "forward_host";
    public const string ForwardHostPorts = "forward_host_ports";
    public const string ForwardSourced = "forward_sourced";
    public const string ForwardSourcedPorts = "forward_sourced_ports";
    /// <summary>guest address . protocol . guest port of every forward: the DNATed connections the forward chain accepts.</summary>
    public const string Forwarded = "forwarded";

    public static string AddressMap(ForwardKind kind) => kind switch
    {
        ForwardKind.AnyAddress => ForwardAny,
        ForwardKind.HostAddress => ForwardHost,
        _ => ForwardSourced,
    };

    public static string PortMap(ForwardKind kind) => AddressMap(kind) + "_ports";

    /// <summary>The fields of a key of <paramref name="kind"/>.</summary>
    public static IReadOnlyList<SetField> KeyOf(ForwardKind kind) => kind switch
    {
        ForwardKind.AnyAddress => [SetField.Protocol, SetField.Port],
        ForwardKind.HostAddress => [SetField.Address, SetField.Protocol, SetField.Port],
        _ => [SetField.Address, SetField.Address, SetField.Protocol, SetField.Port],
    };

    public static IReadOnlyList<NftFamily> Families { get; } = [NftFamily.Ip, NftFamily.Ip6];

    /// <summary>The loopback prefix of a family: a port forward takes it only when asked for (127.0.0.1).</summary>
    public static IpNetwork Loopback(NftFamily family) => family == NftFamily.Ip ? Ipv4Loopback : Ipv6Loopback;

    private static readonly IpNetwork Ipv4Loopback = IpNetwork.Parse("127.0.0.0/8");
    private static readonly IpNetwork Ipv6Loopback = IpNetwork.Parse("::1/128");

    /// <summary>The maps and set, in creation order (after the chains, before any rule).</summary>
    public static IReadOnlyList<SetSpec> Sets { get; } =
    [
        .. Enum.GetValues<ForwardKind>().SelectMany(kind => new SetSpec[]
        {
            new(AddressMap(kind), KeyOf(kind), SetField.Address, Interval: kind == ForwardKind.Sourced),
            new(PortMap(kind), KeyOf(kind), SetField.Port, Interval: kind == ForwardKind.Sourced),
        }),
        new(Forwarded, [SetField.Address, SetField.Protocol, SetField.Port], Value: null, Interval: false),
    ];

    /// <summary>Chains in creation order; regular chains have no hook.</summary>
    public static IReadOnlyList<ChainSpec> Chains { get; } =
    [
        new(Forward, new BaseChainHook("filter", "forward", 0)),
        new(GuestOutput, null),
        new(GuestInput, null),
        new(GuestCross, null),
        new(GuestNat, new BaseChainHook("nat", "postrouting", 100)),
        new(Input, new BaseChainHook("filter", "input", 0)),
        new(Output, new BaseChainHook("filter", "output", 0)),
        // dstnat priority, so that the filter chains see the guest's address.
        new(GuestDnat, new BaseChainHook("nat", "prerouting", -100)),
        new(GuestDnatOutput, new BaseChainHook("nat", "output", -100)),
    ];

    /// <summary>
    /// The forward chain's jumps in evaluation order. libvirt inserts output, input, cross at the head, which
    /// leaves cross first; we append in the resulting order.
    /// </summary>
    public static IReadOnlyList<string> ForwardJumps { get; } = [GuestCross, GuestInput, GuestOutput];
}

/// <param name="Hook">Null for a regular chain (reached only by jump).</param>
public sealed record ChainSpec(string Name, BaseChainHook? Hook);

/// <summary>A set or map of our tables; <paramref name="Value"/> null = a set.</summary>
/// <param name="Interval">Its keys hold prefixes and ranges (a hash set's are exact).</param>
public sealed record SetSpec(string Name, IReadOnlyList<SetField> Key, SetField? Value, bool Interval);

/// <summary>A field of a set's key or a map's value: an address of the table's family, an IP protocol, a port.</summary>
public enum SetField
{
    Address,
    Protocol,
    Port,
}

/// <summary>A base chain's type/hook/priority; policy is always accept (we only ever accept or reject explicitly).</summary>
public sealed record BaseChainHook(string Type, string Hook, int Priority);
