using System.Net;
using System.Net.Sockets;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Tests.Conformance;
using VirtualNetworking.Core.Tests.Dhcp;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Dhcp6;

/// <summary>The DHCPv6 scope derived from a network, against libvirt's dnsmasq configuration and by hand.</summary>
public sealed class Dhcp6ScopeBuilderTests
{
    private const string Network = """
        <network>
          <name>six</name>
          <uuid>c4d2a51e-3c0a-4b1b-9d37-6a3e5f0c1b2d</uuid>
          <forward mode='nat'/>
          <bridge name='virbr6'/>
          <domain name='vm.test'/>
          <ip address='192.168.6.1' netmask='255.255.255.0'/>
          <ip family='ipv6' address='fd00:5::1' prefix='64'>
            <dhcp>
              <range start='fd00:5::100' end='fd00:5::1ff'>
                <lease expiry='2' unit='hours'/>
              </range>
              <host id='0:3:0:1:52:54:0:a:b:c' name='one' ip='fd00:5::10'/>
              <host name='two' ip='fd00:5::20'>
                <lease expiry='0'/>
              </host>
            </dhcp>
          </ip>
        </network>
        """;

    [Fact]
    public void The_ipv6_dhcp_block_becomes_the_scope()
    {
        var scope = Dhcp6ScopeBuilder.FromNetwork(NetworkXml.Parse(Network))!;
        Assert.Empty(scope.Validate());
        Assert.Equal(Duid.FromUuid(Guid.Parse("c4d2a51e-3c0a-4b1b-9d37-6a3e5f0c1b2d")), scope.ServerId);
        Assert.Equal(IPAddress.Parse("fd00:5::1"), scope.ServerAddress);
        Assert.Equal("fd00:5::/64", scope.Subnet.ToString());
        Assert.Equal([new Dhcp6Range(IPAddress.Parse("fd00:5::100"), IPAddress.Parse("fd00:5::1ff"))], scope.Ranges);
        Assert.Equal(TimeSpan.FromHours(2), scope.LeaseTime);
        Assert.Equal(
            [(Duid.Parse("00:03:00:01:52:54:00:0a:0b:0c"), "one", IPAddress.Parse("fd00:5::10"), (DhcpLeaseTime?)null), (null, "two", IPAddress.Parse("fd00:5::20"), new DhcpLeaseTime(null))],
            scope.Reservations.Select(r => (r.ClientId, r.HostName, r.Address, r.LeaseTime)));
        Assert.Equal([IPAddress.Parse("fd00:5::1")], scope.DnsServers);
        Assert.Equal("vm.test", Assert.Single(scope.DomainList).ToString());
        Assert.False(scope.RapidCommit);
    }

    [Fact]
    public void Without_dns_no_dns_server_is_sent_and_without_ipv6_dhcp_there_is_no_scope()
    {
        var network = NetworkXml.Parse(Network);
        network.Dns = new DnsDefinition { Enable = false };
        Assert.Empty(Dhcp6ScopeBuilder.FromNetwork(network)!.DnsServers);

        network.Ips.RemoveAll(ip => ip.IsIPv6);
        Assert.Null(Dhcp6ScopeBuilder.FromNetwork(network));
    }

    [Fact]
    public void A_network_without_uuid_has_no_server_duid()
    {
        var network = NetworkXml.Parse(Network);
        network.Uuid = null;
        Assert.Contains("no UUID", Assert.Throws<ArgumentException>(() => Dhcp6ScopeBuilder.FromNetwork(network)).Message);
    }

    public static TheoryData<string> Cases => ConformanceData.DnsmasqCaseNames();

    /// <summary>libvirt's own DHCPv6 case (no dnsmasq output in the corpus): hosts by DUID of each type and by name are served.</summary>
    [SkippableFact]
    public void Libvirts_dhcp6_network_serves_its_hosts()
    {
        var network = NetworkXml.Parse(ConformanceData.ReadText(ConformanceData.Require("xmlconf", "dhcp6-network").Files(3).Single()));
        var scope = Dhcp6ScopeBuilder.FromNetwork(network)!;
        Assert.Empty(scope.Validate());
        Assert.Equal(Duid.FromUuid(Guid.Parse("81ff0d90-c91e-6742-64da-4a736edb9a9b")), scope.ServerId);
        Assert.Equal([DuidType.Uuid, null, DuidType.LinkLayer, DuidType.LinkLayer, DuidType.LinkLayerPlusTime], scope.Reservations.Select(r => r.ClientId?.Type));
        Assert.Equal(["mynet"], scope.DomainList.Select(n => n.ToString()));

        var server = new Dhcp6Server(scope);
        var peter = Duid.Parse("00:03:00:01:00:16:3e:11:22:33");
        var reply = Dhcp6TestKit.OnWire(server.Handle(Dhcp6TestKit.Message(Dhcp6MessageType.Request, peter, [Dhcp6TestKit.Ia(1)], scope.ServerId), Dhcp6TestKit.Multicast, Dhcp6TestKit.T0));
        Assert.Equal(IPAddress.Parse("2001:db8:ac10:fd01::1:22"), Assert.Single(Assert.Single(reply.IaNas).Addresses).Address);
        Assert.Equal("peter.xyz", server.Leases.Single().HostName);
    }

    /// <summary>Every libvirt case (networkxmlconfdata): the IPv6 dhcp-range and id:/name hostsfile lines agree with our scope.</summary>
    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Scope_matches_libvirts_dnsmasq_config(string name)
    {
        var conformanceCase = ConformanceData.Require("xmlconf", name);
        var conf = conformanceCase.Files(4).Single(f => f.EndsWith(".conf", StringComparison.Ordinal));
        var hostsFile = conformanceCase.Files(4).SingleOrDefault(f => f.EndsWith(".hostsfile", StringComparison.Ordinal));
        var expected = DnsmasqConfig.Read(ConformanceData.ReadText(conf), hostsFile is null ? "" : ConformanceData.ReadText(hostsFile));
        var network = NetworkXml.Parse(ConformanceData.ReadText(conformanceCase.Files(3).Single()));
        // libvirt's test data leaves some UUIDs out; virsh net-define would have made one.
        network.Uuid ??= Guid.Parse("00000000-0000-4000-8000-000000000001");

        var scope = Dhcp6ScopeBuilder.FromNetwork(network);

        if (!expected.ServesDhcpV6) { Assert.Null(scope); return; }
        Assert.NotNull(scope);
        Assert.Empty(scope.Validate());
        Assert.Equal(expected.Ipv6Ranges.Select(r => (r.Start, r.End)), scope.Ranges.Select(r => (r.Start, r.End)));
        Assert.All(expected.Ipv6Ranges, r => Assert.Equal(r.Prefix, scope.Subnet.PrefixLength));
        Assert.All(expected.Ipv6Ranges, r => Assert.Equal(r.Lease is { } lease ? lease.Duration : DhcpScopeBuilder.DefaultLeaseTime, scope.LeaseTime));
        Assert.All(expected.StaticOnly.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6), a => Assert.Equal(scope.ServerAddress, a));
        // libvirt writes the id as the XML has it; ours is canonical, so compare DUIDs, not text.
        Assert.Equal(expected.Ipv6Hosts.Select(h => (h.Duid is null ? null : Duid.Parse(h.Duid), h.Name, h.Address, h.Lease)),
            scope.Reservations.Select(r => (r.ClientId, r.HostName, r.Address, r.LeaseTime)));
        Assert.Equal(expected.DnsDisabled ? [] : [scope.ServerAddress], scope.DnsServers);
        Assert.Equal(expected.Domain is null ? [] : [expected.Domain], scope.DomainList.Select(n => n.ToString()));
    }
}
