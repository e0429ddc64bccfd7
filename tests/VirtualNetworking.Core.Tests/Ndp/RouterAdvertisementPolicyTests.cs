using System.Net;
using System.Net.Sockets;
using VirtualNetworking.Core.Addressing;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Ndp;
using VirtualNetworking.Core.Tests.Conformance;
using VirtualNetworking.Core.Tests.Dhcp;
using VirtualNetworking.Core.Xml;
using static VirtualNetworking.Core.Tests.Ndp.NdpTestKit;

namespace VirtualNetworking.Core.Tests.Ndp;

/// <summary>
/// The RA a network's definition gives, against what libvirt's dnsmasq configuration makes dnsmasq advertise
/// (networkDnsmasqConfContents; dnsmasq's radv.c and --enable-ra / ra-only / ra-param in dnsmasq(8)).
/// </summary>
public class RouterAdvertisementPolicyTests
{
    private static RouterAdvertisement Ra(string inner, string forward = "<forward mode='nat'/>") =>
        (RouterAdvertisementPolicy.FromNetwork(Network(inner, forward)) ?? throw new InvalidOperationException("no RA")).Advertisement;

    private static PrefixInformation Prefix(string prefix, bool autonomous, uint lifetime = RouterAdvertisement.Infinity) =>
        new(IpNetwork.Parse(prefix), OnLink: true, autonomous, lifetime, lifetime);

    public static TheoryData<string> Cases => ConformanceData.DnsmasqCaseNames();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void The_ra_agrees_with_libvirts_dnsmasq_config(string name)
    {
        var conformanceCase = ConformanceData.Require("xmlconf", name);
        var confText = ConformanceData.ReadText(conformanceCase.Files(4).Single(f => f.EndsWith(".conf", StringComparison.Ordinal)));
        var conf = DnsmasqConfig.Read(confText, "");
        var lines = confText.Split('\n');
        var enableRa = lines.Contains("enable-ra");

        var network = NetworkXml.Parse(ConformanceData.ReadText(conformanceCase.Files(3).Single()));
        var policy = RouterAdvertisementPolicy.FromNetwork(network);

        // dnsmasq advertises a prefix per ra-only range, or with enable-ra per DHCPv6 range; nothing else.
        if (!enableRa && conf.RaOnly.Count == 0)
        {
            Assert.Null(policy);
            return;
        }
        Assert.NotNull(policy);
        var ra = policy.Advertisement;
        Assert.Equal(enableRa, ra.Managed);
        Assert.Equal(enableRa, ra.OtherConfiguration);
        var advertised = enableRa
            ? conf.Ipv6Ranges.Select(r => r.Start).Concat(conf.StaticOnly.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6))
            : conf.RaOnly;
        Assert.Equal(advertised.Count(), ra.Prefixes.Count);
        Assert.All(advertised.Zip(ra.Prefixes), pair => Assert.True(pair.Second.Prefix.Contains(pair.First), $"{pair.Second.Prefix} for {pair.First}"));
        Assert.All(ra.Prefixes, p => Assert.Equal(!enableRa, p.Autonomous));
        Assert.Equal(lines.Contains("ra-param=*,0,0") ? 0 : 1800, ra.RouterLifetime);
        Assert.Equal((uint?)conf.Mtu, ra.Mtu);
        // Defining a network gives it a bridge MAC (these inputs mostly have none yet): the source link-layer address.
        Assert.Equal(network.MacAddress, ra.SourceLinkLayerAddress is { } mac ? MacAddressText.Format(mac.GetAddressBytes()) : null);
    }

    [SkippableFact]
    public void Libvirts_dhcp6_network_is_managed_with_its_prefix_on_link_only()
    {
        var conformanceCase = ConformanceData.Require("xmlconf", "dhcp6-network");
        var network = NetworkXml.Parse(ConformanceData.ReadText(conformanceCase.Files(3).Single()));

        // libvirt writes dhcp-range=2001:db8:ac10:fd01::1:10,2001:db8:ac10:fd01::1:ff,64 and enable-ra for it.
        var ra = RouterAdvertisementPolicy.FromNetwork(network)!.Advertisement;

        Assert.True(ra.Managed);
        Assert.True(ra.OtherConfiguration);
        Assert.Equal([Prefix("2001:db8:ac10:fd01::/64", autonomous: false)], ra.Prefixes);
        Assert.Equal(1800, ra.RouterLifetime);
        Assert.Null(ra.Mtu);
    }

    [Fact]
    public void Every_ipv6_prefix_is_advertised_for_slaac_when_none_has_dhcp()
    {
        var ra = Ra("""
            <ip address='192.168.122.1' prefix='24'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip>
            <ip family='ipv6' address='fd00:1::1' prefix='64'/>
            <ip family='ipv6' address='fd00:1::2' prefix='64'/>
            <ip family='ipv6' address='2001:db8:5::1' prefix='56'/>
            """);
        Assert.False(ra.Managed);
        Assert.False(ra.OtherConfiguration);
        Assert.Equal([Prefix("fd00:1::/64", true), Prefix("2001:db8:5::/56", true)], ra.Prefixes);
        Assert.Equal(RouterAdvertisementPolicy.CurHopLimit, ra.CurHopLimit);
        Assert.Equal(0u, ra.ReachableTime);
        Assert.Equal(0u, ra.RetransTimer);
    }

    [Fact]
    public void With_a_dhcpv6_ip_only_its_prefix_is_advertised_as_libvirt_writes_no_ra_only_range_then()
    {
        var ra = Ra("""
            <ip family='ipv6' address='fd00:1::1' prefix='64'/>
            <ip family='ipv6' address='fd00:2::1' prefix='64'><dhcp><host id='0:3:0:1:0:16:3e:11:22:33' ip='fd00:2::20'/></dhcp></ip>
            """);
        Assert.True(ra.Managed);
        Assert.Equal([Prefix("fd00:2::/64", autonomous: false)], ra.Prefixes);
    }

    [Theory]
    [InlineData("<lease expiry='10'/>", "", 1800u)]
    [InlineData("<lease expiry='5' unit='hours'/>", "<lease expiry='3' unit='hours'/>", 10800u)]
    [InlineData("<lease expiry='3' unit='hours'/>", "", 10800u)]
    [InlineData("<lease expiry='0'/>", "", RouterAdvertisement.Infinity)]
    [InlineData("", "<lease expiry='45' unit='minutes'/>", 2700u)]
    public void A_dhcpv6_prefix_lives_as_long_as_the_shortest_range_lease_but_at_least_1800_s(string firstLease, string secondLease, uint lifetime)
    {
        var ra = Ra($"""
            <ip family='ipv6' address='fd00:1::1' prefix='64'><dhcp>
              <range start='fd00:1::100' end='fd00:1::1ff'>{firstLease}</range>
              <range start='fd00:1::200' end='fd00:1::2ff'>{secondLease}</range>
            </dhcp></ip>
            """);
        Assert.Equal([Prefix("fd00:1::/64", autonomous: false, lifetime)], ra.Prefixes);
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("<forward mode='nat'/>", 1800)]
    [InlineData("<forward mode='route'/>", 1800)]
    [InlineData("<forward mode='open'/>", 1800)]
    public void Only_isolated_networks_advertise_no_default_router(string forward, int lifetime) =>
        Assert.Equal(lifetime, Ra("<ip family='ipv6' address='fd00:1::1' prefix='64'/>", forward).RouterLifetime);

    [Fact]
    public void Networks_that_send_no_ra_have_no_policy()
    {
        Assert.Null(RouterAdvertisementPolicy.FromNetwork(Network("<ip address='192.168.122.1' prefix='24'/>")));
        Assert.Null(RouterAdvertisementPolicy.FromNetwork(NetworkXml.Parse("<network><name>br</name><forward mode='bridge'/><bridge name='br0'/></network>")));
        // No DHCP anywhere and DNS off: libvirt starts no dnsmasq, so nothing advertises.
        Assert.Null(RouterAdvertisementPolicy.FromNetwork(Network("<dns enable='no'/><ip family='ipv6' address='fd00:1::1' prefix='64'/>")));
    }

    [Fact]
    public void Dns_off_still_advertises_when_dnsmasq_runs_for_dhcp()
    {
        var network = Network("""
            <dns enable='no'/>
            <ip address='192.168.122.1' prefix='24'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip>
            <ip family='ipv6' address='fd00:1::1' prefix='64'/>
            """);
        Assert.NotNull(RouterAdvertisementPolicy.FromNetwork(network));
    }

    [Fact]
    public void Rdnss_and_dnssl_only_with_what_dns_gives()
    {
        var network = Network("<ip family='ipv6' address='fd00:1::1' prefix='64'/>");
        var none = RouterAdvertisementPolicy.FromNetwork(network, new RouterAdvertisementDns([], []))!.Advertisement;
        Assert.Null(none.RecursiveDnsServers);
        Assert.Null(none.DnsSearchList);

        var servers = RouterAdvertisementPolicy.FromNetwork(network, new RouterAdvertisementDns([IPAddress.Parse("fd00:1::1")], []))!.Advertisement;
        Assert.Equal(RouterAdvertisementPolicy.DnsLifetime, servers.RecursiveDnsServers!.Lifetime);
        Assert.Null(servers.DnsSearchList);

        var domains = RouterAdvertisementPolicy.FromNetwork(network, new RouterAdvertisementDns([], [DnsName.Parse("vm.test")]))!.Advertisement;
        Assert.Null(domains.RecursiveDnsServers);
        Assert.Equal("vm.test", Assert.Single(domains.DnsSearchList!.Domains).ToString());
    }

    [Fact]
    public void The_default_intervals_are_dnsmasqs()
    {
        var policy = RouterAdvertisementPolicy.FromNetwork(Network("<ip family='ipv6' address='fd00:1::1' prefix='64'/>"))!;
        Assert.Equal(TimeSpan.FromSeconds(450), policy.MinInterval);
        Assert.Equal(TimeSpan.FromSeconds(600), policy.MaxInterval);
    }

    [Fact]
    public void Where_dns_is_served_the_ra_names_the_bridges_global_ipv6_addresses_and_the_domain()
    {
        var network = Network("<domain name='lab.test'/><ip address='10.9.0.1' prefix='24'/><ip family='ipv6' address='fd00:1::1' prefix='64'/>" +
                              "<ip family='ipv6' address='fe80::1' prefix='64'/>");

        var dns = RouterAdvertisementDns.Of(network, DnsPolicy.FromNetwork(network))!;

        Assert.Equal([IPAddress.Parse("fd00:1::1")], dns.Servers);
        Assert.Equal(["lab.test"], dns.SearchDomains.Select(d => d.ToString()));
        var ra = RouterAdvertisementPolicy.FromNetwork(network, dns)!.Advertisement;
        Assert.Equal([IPAddress.Parse("fd00:1::1")], ra.RecursiveDnsServers!.Servers);
        Assert.Equal(RouterAdvertisementPolicy.DnsLifetime, ra.DnsSearchList!.Lifetime);
    }

    [Fact]
    public void Without_dns_served_or_without_an_ipv6_address_to_serve_it_on_the_ra_names_no_dns_server_and_an_ipv6_only_network_names_its_own()
    {
        var off = Network("<dns enable='no'/><ip address='10.9.0.1' prefix='24'/><ip family='ipv6' address='fd00:1::1' prefix='64'/>");
        Assert.Null(RouterAdvertisementDns.Of(off, DnsPolicy.FromNetwork(off)));
        var ipv6Only = Network("<ip family='ipv6' address='fd00:1::1' prefix='64'/>");
        Assert.Equal([IPAddress.Parse("fd00:1::1")], RouterAdvertisementDns.Of(ipv6Only, DnsPolicy.FromNetwork(ipv6Only))!.Servers);
        var ipv4Only = Network("<ip address='10.9.0.1' prefix='24'/>");
        Assert.Null(RouterAdvertisementDns.Of(ipv4Only, DnsPolicy.FromNetwork(ipv4Only)));
    }
}
