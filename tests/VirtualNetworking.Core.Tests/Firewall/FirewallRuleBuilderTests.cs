using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Firewall;
using VirtualNetworking.Core.Model;

namespace VirtualNetworking.Core.Tests.Firewall;

public sealed class FirewallRuleBuilderTests
{
    [Theory]
    [InlineData(NetworkMode.Open)]
    [InlineData(NetworkMode.Bridged)]
    [InlineData(NetworkMode.Passthrough)]
    public void Modes_without_a_managed_firewall_get_no_rules(NetworkMode mode)
    {
        Assert.Empty(TestNetworks.Plan(TestNetworks.Define("n", mode, "10.0.0.1/255.255.255.0")).Rules);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(NetworkMode.Nat)]
    [InlineData(NetworkMode.Routed)]
    public void Every_mode_with_rules_accepts_dhcp_and_dns_from_the_bridge_and_dhcp_replies_to_it(NetworkMode? mode)
    {
        var ours = TestNetworks.Plan(TestNetworks.Define("n", mode, "10.0.0.1/255.255.255.0")).Rules.Where(r => !r.IsLibvirtRule && r.Chain != FirewallLayout.GuestNat).ToList();

        Assert.Equal(
            ["input iif udp/67", "input iif udp/53", "input iif tcp/53", "output oif udp/68"],
            ours.Select(Describe));
        Assert.All(ours, r => Assert.Equal(NftFamily.Ip, r.Family));
    }

    [Fact]
    public void Ipv6_networks_also_accept_dhcpv6_and_dns_in_the_ip6_table()
    {
        var ours = TestNetworks.Plan(TestNetworks.Define("n", NetworkMode.Nat, "fd00::1/64")).Rules
            .Where(r => !r.IsLibvirtRule && r.Family == NftFamily.Ip6 && r.Chain != FirewallLayout.GuestNat);

        Assert.Equal(["input iif udp/547", "input iif udp/53", "input iif tcp/53", "output oif udp/546"], ours.Select(Describe));
    }

    [Fact]
    public void Network_ipv6_yes_without_an_ipv6_address_gets_the_general_ip6_rules()
    {
        var definition = TestNetworks.Define("n", null, "10.0.0.1/255.255.255.0");
        definition.Ipv6 = true;

        var ip6 = TestNetworks.Plan(definition).Rules.Where(r => r.Family == NftFamily.Ip6 && r.IsLibvirtRule);

        Assert.Equal([FirewallLayout.GuestOutput, FirewallLayout.GuestInput, FirewallLayout.GuestCross], ip6.Select(r => r.Chain));
    }

    [Fact]
    public void Nat_ipv6_yes_masquerades_the_ipv6_subnet_without_the_broadcast_exemption()
    {
        var definition = TestNetworks.Define("n", NetworkMode.Nat, "fd00::1/64");
        definition.Forward!.Nat = new NatDefinition { Ipv6 = true };

        var rendered = LibvirtCommandRenderer.RenderRules(TestNetworks.Plan(definition));

        Assert.Contains("ip6 \\\nsaddr \\\nfd00::/64 \\\nip6 \\\ndaddr \\\n'!=' \\\nfd00::/64 \\\ncounter \\\nmasquerade\n", rendered);
        Assert.Contains("ff02::/16", rendered);
        Assert.DoesNotContain("255.255.255.255", rendered);
    }

    [Fact]
    public void Nat_without_ipv6_nat_routes_the_ipv6_subnet()
    {
        var plan = TestNetworks.Plan(TestNetworks.Define("n", NetworkMode.Nat, "fd00::1/64"));

        // Only the port forwards' hairpin masquerading, of connections a forward DNATed, is in ip6's guest_nat.
        Assert.DoesNotContain(plan.Rules, r => r.Family == NftFamily.Ip6 && r.Chain == FirewallLayout.GuestNat && !r.Matches.OfType<DnatStatusMatch>().Any());
        Assert.Contains(plan.Rules, r => r.Family == NftFamily.Ip6 && r.Chain == FirewallLayout.GuestInput && r.Action is AcceptAction
            && !r.Matches.OfType<RelatedOrEstablishedMatch>().Any());
    }

    [Fact]
    public void Nat_address_range_snats_and_puts_the_port_range_only_on_tcp_and_udp()
    {
        var definition = TestNetworks.Define("n", NetworkMode.Nat, "10.0.0.1/255.255.255.0");
        definition.Forward!.Nat = new NatDefinition
        {
            AddressStart = IPAddress.Parse("198.51.100.10"), AddressEnd = IPAddress.Parse("198.51.100.20"), PortStart = 2000, PortEnd = 3000,
        };

        var nat = TestNetworks.Plan(definition).Rules.Where(r => r.Chain == FirewallLayout.GuestNat).Select(r => r.Action).OfType<SnatAction>().ToList();
        var rendered = LibvirtCommandRenderer.RenderRules(TestNetworks.Plan(definition));

        Assert.Equal(3, nat.Count);
        Assert.Contains("snat \\\nto \\\n198.51.100.10-198.51.100.20\n", rendered);
        Assert.Equal(2, CountOf(rendered, "snat \\\nto \\\n198.51.100.10-198.51.100.20:2000-3000\n"));
        Assert.DoesNotContain("masquerade", rendered);
    }

    [Fact]
    public void Single_nat_address_and_single_port_are_written_without_a_range()
    {
        var definition = TestNetworks.Define("n", NetworkMode.Nat, "10.0.0.1/255.255.255.0");
        definition.Forward!.Nat = new NatDefinition { AddressStart = IPAddress.Parse("198.51.100.10"), PortStart = 4000 };

        var rendered = LibvirtCommandRenderer.RenderRules(TestNetworks.Plan(definition));

        Assert.Equal(2, CountOf(rendered, "snat \\\nto \\\n198.51.100.10:4000\n"));
    }

    [Fact]
    public void Default_port_range_is_1024_to_65535()
    {
        var network = FirewallNetworkMapper.FromDefinition(TestNetworks.Define("n", NetworkMode.Nat, "10.0.0.1/255.255.255.0"));

        Assert.Equal(new NatPortRange(1024, 65535), network.EffectiveNatPorts);
    }

    [Fact]
    public void Forward_device_is_matched_by_name_in_libvirts_argument_positions()
    {
        var definition = TestNetworks.Define("n", NetworkMode.Nat, "10.0.0.1/255.255.255.0");
        definition.Forward!.Interfaces.Add("eth1");

        var libvirt = TestNetworks.Plan(definition).Rules.Where(r => r.IsLibvirtRule && r.Matches.OfType<InterfaceNameMatch>().Any()).ToList();

        Assert.Equal(7, libvirt.Count);
        Assert.Equal(new InterfaceNameMatch(InterfaceDirection.Out, "eth1"), libvirt[0].Matches[^1]);  // guest_output: after iif
        Assert.Equal(new InterfaceNameMatch(InterfaceDirection.In, "eth1"), libvirt[1].Matches[0]);    // guest_input: first
        Assert.Equal(new InterfaceNameMatch(InterfaceDirection.Out, "eth1"), libvirt[2].Matches[^1]);  // masquerade: after daddr
        Assert.Equal(new InterfaceNameMatch(InterfaceDirection.Out, "eth1"), libvirt[5].Matches[0]);   // return: first
    }

    [Fact]
    public void Routed_forward_device_goes_between_daddr_and_oif()
    {
        var definition = TestNetworks.Define("n", NetworkMode.Routed, "10.0.0.1/255.255.255.0");
        definition.Forward!.Interfaces.Add("eth1");

        var input = TestNetworks.Plan(definition).Rules.Single(r => r.Chain == FirewallLayout.GuestInput && r.Action is AcceptAction);

        Assert.IsType<AddressMatch>(input.Matches[0]);
        Assert.Equal(new InterfaceNameMatch(InterfaceDirection.In, "eth1"), input.Matches[1]);
        Assert.Equal(new BridgeMatch(InterfaceDirection.Out), input.Matches[2]);
    }

    [Fact]
    public void Mapper_uses_prefix_then_netmask_then_the_classful_default_and_canonicalises()
    {
        var definition = TestNetworks.Define("n", NetworkMode.Nat, "10.1.2.3/255.255.0.0", "fd00::5/48");
        definition.Ips.Add(new IpDefinition { Address = IPAddress.Parse("172.16.5.1") });

        var network = FirewallNetworkMapper.FromDefinition(definition);

        Assert.Equal([IpNetwork.Parse("10.1.0.0/16"), IpNetwork.Parse("fd00::/48"), IpNetwork.Parse("172.16.0.0/16")], network.Subnets);
    }

    [Fact]
    public void Mapper_requires_a_bridge_name()
    {
        var definition = TestNetworks.Define("n", NetworkMode.Nat);
        definition.Bridge = null;

        Assert.Throws<ArgumentException>(() => FirewallNetworkMapper.FromDefinition(definition));
    }

    [Fact]
    public void Tag_is_the_uuid_or_a_hash_never_the_raw_name()
    {
        var uuid = Guid.Parse("81ff0d90-c91e-6742-64da-4a736edb9a9b");

        Assert.Equal("vnet:81ff0d90-c91e-6742-64da-4a736edb9a9b", FirewallTag.For(uuid, "x"));
        var hashed = FirewallTag.For(null, "evil\" name; drop");
        Assert.Matches("^vnet:name-[0-9a-f]{32}$", hashed);
        Assert.Equal(hashed, FirewallTag.For(null, "evil\" name; drop"));
        Assert.NotEqual(hashed, FirewallTag.For(null, "other"));
    }

    private static string Describe(FirewallRule rule)
    {
        var bridge = rule.Matches.OfType<BridgeMatch>().Single().Direction == InterfaceDirection.In ? "iif" : "oif";
        var port = rule.Matches.OfType<DestinationPortMatch>().Single();
        return $"{rule.Chain} {bridge} {port.Protocol}/{port.Port}";
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
