using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Validation;

namespace VirtualNetworking.Core.Engine;

/// <summary>What New-VNetwork asks for, before allocation. Null members take libvirt's defaults.</summary>
public sealed record NetworkRequest
{
    public required string Name { get; init; }
    public NetworkMode Mode { get; init; } = NetworkMode.Nat;
    /// <summary>The IPv4 subnet, or the IPv6 prefix of an IPv6-only network. Null = pick a free /24 at define.</summary>
    public IpNetwork? Subnet { get; init; }
    /// <summary>An IPv6 prefix given alongside the IPv4 subnet (a dual-stack network); null on a single-family network.</summary>
    public IpNetwork? Ipv6Subnet { get; init; }
    public IPAddress? DhcpStart { get; init; }
    public IPAddress? DhcpEnd { get; init; }
    public bool NoDhcp { get; init; }
    public string? BridgeName { get; init; }
    public string? ForwardDevice { get; init; }
    public bool? Stp { get; init; }
    public int? Mtu { get; init; }
    public string? Domain { get; init; }
    public string? MacAddress { get; init; }
    public bool Autostart { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }

    /// <summary>
    /// New-VNetwork's parameters as given (text for subnet and range), checked against each other; the same rules
    /// apply to a network declared in a configuration document.
    /// </summary>
    public static NetworkRequest FromParameters(string name, NetworkMode mode, IReadOnlyList<string>? subnet, IReadOnlyList<string>? dhcpRange, bool noDhcp,
        string? bridgeName, string? forwardDevice, bool? stp, int? mtu, string? domain, string? macAddress, bool autostart, bool transient)
    {
        if (noDhcp && dhcpRange is not null)
            throw new NetworkProblemException(ErrorIds.DhcpConflict, ProblemCategory.InvalidArgument,
                "-NoDhcp and -DhcpRange contradict each other. Give one of them.", name);
        var range = dhcpRange is null ? default : ParameterText.DhcpRange(dhcpRange);
        var (subnet4, subnet6) = subnet is null ? default : ParameterText.Subnets(subnet);
        var request = new NetworkRequest
        {
            Name = name,
            Mode = mode,
            Subnet = subnet4 ?? subnet6,
            Ipv6Subnet = subnet4 is null ? null : subnet6,
            DhcpStart = range.Start,
            DhcpEnd = range.End,
            NoDhcp = noDhcp,
            BridgeName = bridgeName,
            ForwardDevice = forwardDevice,
            Stp = stp,
            Mtu = mtu,
            Domain = domain,
            MacAddress = macAddress,
            Autostart = autostart,
        };
        if (transient && autostart)
            throw new NetworkProblemException(ErrorIds.TransientAutostart, ProblemCategory.InvalidArgument,
                "A transient network cannot autostart: it has no stored definition. Remove -Autostart, or -Transient.", name);
        return request;
    }
}
