using System.Net;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Ndp;
using static VirtualNetworking.Core.Tests.Ndp.NdpTestKit;

namespace VirtualNetworking.Core.Tests.Ndp;

/// <summary>The RA of a network's policy, octet by octet (RFC 4861 §4.2, §4.6; RFC 8106 §5), against hand-computed bytes.</summary>
public class RouterAdvertisementEncodingTests
{
    private static byte[] Encode(string inner, string forward = "<forward mode='nat'/>", RouterAdvertisementDns? dns = null) =>
        RouterAdvertisementPolicy.FromNetwork(Network(inner, forward), dns)!.Advertisement.ToArray();

    [Fact]
    public void A_slaac_network_advertises_its_prefix_autonomous_and_itself_as_default_router()
    {
        Assert.Equal(Hex("""
            86 00 0000          type 134, code 0, checksum (the kernel's)
            40 00 0708          cur hop limit 64, M and O clear, router lifetime 1800 s
            00000000 00000000   reachable time, retrans timer: unspecified
            03 04 40 c0         prefix information, 4 × 8 octets, /64, L and A
            ffffffff ffffffff   valid and preferred lifetime: infinite
            00000000            reserved
            fd000001000000000000000000000000
            01 01 525400000001  source link-layer address: the bridge MAC
            """), Encode("<ip family='ipv6' address='fd00:1::1' prefix='64'/>"));
    }

    [Fact]
    public void A_stateful_dhcpv6_network_sets_managed_and_other_and_leaves_addresses_to_dhcp()
    {
        Assert.Equal(Hex("""
            86 00 0000
            40 c0 0708          M and O set
            00000000 00000000
            03 04 40 80         /64, L only: no SLAAC
            00001c20 00001c20   the range's 2-hour lease as valid and preferred lifetime
            00000000
            20010db8ac10fd010000000000000000
            01 01 525400000001
            """), Encode("""
            <ip family='ipv6' address='2001:db8:ac10:fd01::1' prefix='64'>
              <dhcp><range start='2001:db8:ac10:fd01::1:10' end='2001:db8:ac10:fd01::1:ff'><lease expiry='2' unit='hours'/></range></dhcp>
            </ip>
            """));
    }

    [Fact]
    public void An_isolated_network_advertises_router_lifetime_zero()
    {
        Assert.Equal(Hex("""
            86 00 0000
            40 00 0000          router lifetime 0: not a default router
            00000000 00000000
            03 04 40 c0 ffffffff ffffffff 00000000 fd000002000000000000000000000000
            01 01 525400000001
            """), Encode("<ip family='ipv6' address='fd00:2::1' prefix='64'/>", forward: ""));
    }

    [Fact]
    public void The_mtu_option_follows_the_prefixes()
    {
        Assert.Equal(Hex("""
            86 00 0000 40 00 0708 00000000 00000000
            03 04 40 c0 ffffffff ffffffff 00000000 fd000001000000000000000000000000
            05 01 0000 00002328 MTU option, 1 × 8 octets, reserved, 9000
            01 01 525400000001
            """), Encode("<mtu size='9000'/><ip family='ipv6' address='fd00:1::1' prefix='64'/>"));
    }

    [Fact]
    public void Rdnss_and_dnssl_come_last_with_rfc_8106_lifetimes_and_padding()
    {
        var dns = new RouterAdvertisementDns([IPAddress.Parse("fd00:1::1"), IPAddress.Parse("fd00:1::2")],
            [DnsName.Parse("vm.test"), DnsName.Parse("example.org")]);
        Assert.Equal(Hex("""
            86 00 0000 40 00 0708 00000000 00000000
            03 04 40 c0 ffffffff ffffffff 00000000 fd000001000000000000000000000000
            01 01 525400000001
            19 05 0000          RDNSS, (1 + 2 × 2) × 8 octets, reserved
            00000708            lifetime 1800 s
            fd000001000000000000000000000001
            fd000001000000000000000000000002
            1f 04 0000          DNSSL, 4 × 8 octets, reserved
            00000708            lifetime 1800 s
            02 766d 04 74657374 00                vm.test
            07 6578616d706c65 03 6f7267 00        example.org
            0000                zero padding to 32 octets
            """), Encode("<ip family='ipv6' address='fd00:1::1' prefix='64'/>", dns: dns));
    }

    [Fact]
    public void Without_a_bridge_mac_there_is_no_source_link_layer_option()
    {
        var network = Network("<ip family='ipv6' address='fd00:1::1' prefix='64'/>");
        network.MacAddress = null;
        Assert.Equal(16 + 32, RouterAdvertisementPolicy.FromNetwork(network)!.Advertisement.ToArray().Length);
    }

    [Fact]
    public void Unencodable_options_are_refused()
    {
        var ra = new RouterAdvertisement();
        Assert.Throws<InvalidOperationException>(() => (ra with { RecursiveDnsServers = new(1, []) }).ToArray());
        Assert.Throws<InvalidOperationException>(() => (ra with { RecursiveDnsServers = new(1, [IPAddress.Loopback]) }).ToArray());
        Assert.Throws<InvalidOperationException>(() => (ra with { DnsSearchList = new(1, []) }).ToArray());
        Assert.Throws<InvalidOperationException>(() =>
            (ra with { Prefixes = [new(IpNetwork.Parse("10.0.0.0/8"), true, true, 1, 1)] }).ToArray());
    }
}
