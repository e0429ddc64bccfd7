using System.Net;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Tests.Firewall;

/// <summary>Network definitions built in code, mirroring libvirt's networkxml2firewalldata inputs.</summary>
internal static class TestNetworks
{
    public static NetworkDefinition Define(string name, NetworkMode? forwardMode, params string[] ips)
    {
        var definition = new NetworkDefinition { Name = name, Bridge = new BridgeDefinition { Name = "virbr0" } };
        if (forwardMode is { } mode) definition.Forward = new ForwardDefinition { Mode = mode };
        foreach (var ip in ips)
        {
            var parts = ip.Split('/');
            var address = IPAddress.Parse(parts[0]);
            definition.Ips.Add(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? new IpDefinition { Address = address, Family = "ipv6", Prefix = int.Parse(parts[1]) }
                : new IpDefinition { Address = address, Netmask = IPAddress.Parse(parts[1]) });
        }
        return definition;
    }

    /// <summary>The six libvirt cases by name, as NetworkXml.Parse should produce them.</summary>
    public static NetworkDefinition LibvirtCase(string name)
    {
        const string v4a = "192.168.122.1/255.255.255.0", v4b = "192.168.128.1/255.255.255.0", v6 = "2001:db8:ca2:2::1/64";
        return name switch
        {
            "isolated" => Define("default", null, v4a, v4b, v6),
            "nat-ipv6" => Define("default", NetworkMode.Nat, v4a, v6),
            "nat-many-ips" => Define("default", NetworkMode.Nat, v4a, v4b, "192.168.150.1/255.255.255.0"),
            "nat-port-range" => WithPorts(Define("default", NetworkMode.Nat, v4a, v4b, v6), 500, 1000),
            "nat-tftp" => Define("default", NetworkMode.Nat, v4a),
            "route-default" => Define("default", NetworkMode.Routed, v4a),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        };
    }

    public static FirewallPlan Plan(NetworkDefinition definition) =>
        FirewallPlanner.Plan(FirewallNetworkMapper.FromDefinition(definition));

    private static NetworkDefinition WithPorts(NetworkDefinition definition, int start, int end)
    {
        definition.Forward!.Nat = new NatDefinition { PortStart = start, PortEnd = end };
        return definition;
    }
}
