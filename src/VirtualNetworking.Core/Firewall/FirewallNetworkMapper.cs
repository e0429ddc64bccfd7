using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Firewall;

/// <summary>Extracts the firewall-relevant facts from a network definition, applying libvirt's defaults.</summary>
public static class FirewallNetworkMapper
{
    public static FirewallNetwork FromDefinition(NetworkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var bridge = definition.Bridge?.Name;
        if (string.IsNullOrEmpty(bridge))
            throw new ArgumentException($"Network '{definition.Name}' has no bridge name; assign one before planning its firewall.", nameof(definition));

        var nat = definition.Forward?.Nat;
        return new FirewallNetwork(
            Name: definition.Name,
            Tag: FirewallTag.For(definition.Uuid, definition.Name),
            BridgeName: bridge,
            Mode: definition.Mode,
            Subnets: definition.Ips.Select(SubnetOf).ToList(),
            Ipv6WithoutGateway: definition.Ipv6 == true,
            NatIpv6: nat?.Ipv6 == true,
            NatAddresses: nat?.AddressStart is { } start ? new NatAddressRange(start, nat.AddressEnd) : null,
            NatPorts: PortsOf(nat),
            ForwardDevice: string.IsNullOrEmpty(definition.Forward?.Dev) ? null : definition.Forward.Dev,
            PortForwards: definition.PortForwards.Select(ForwardedPortOf).ToList());
    }

    /// <summary>The definition is validated (NetworkValidator), so its prefixes parse.</summary>
    private static ForwardedPort ForwardedPortOf(PortForwardDefinition forward) =>
        new(forward.Protocol == PortProtocol.Udp ? "udp" : "tcp", forward.HostAddress, forward.HostPort, forward.HostPortLast,
            forward.GuestAddress, forward.GuestPortFirst, forward.GuestPortLast, forward.SourcePrefixes.Select(IpNetwork.Parse).ToList());

    /// <summary>libvirt's virNetworkIPDefPrefix: explicit prefix, else the netmask, else classful / 64.</summary>
    private static IpNetwork SubnetOf(IpDefinition ip)
    {
        var prefix = ip.Prefix
            ?? (ip.Netmask is { } mask ? IpNetwork.PrefixFromNetmask(mask) : null)
            ?? IpNetwork.ClassfulPrefix(ip.Address);
        return new IpNetwork(ip.Address, prefix).Canonical;
    }

    /// <summary>libvirt treats start=end=0 (absent) as the default range 1024-65535.</summary>
    private static NatPortRange? PortsOf(NatDefinition? nat)
    {
        var start = nat?.PortStart ?? 0;
        var end = nat?.PortEnd ?? 0;
        return start == 0 && end == 0 ? null : new NatPortRange(start, end);
    }
}
