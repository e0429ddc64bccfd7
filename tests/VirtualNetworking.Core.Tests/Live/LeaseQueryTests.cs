using System.Net;
using System.Net.NetworkInformation;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Live;

/// <summary>Get-VNetworkDhcpLease: the bound leases of a network, by address, optionally of one MAC.</summary>
public sealed class LeaseQueryTests
{
    private readonly TestHost test = new();

    public LeaseQueryTests()
    {
        foreach (var (name, active) in new[] { ("up", true), ("down", false) })
        {
            var definition = NetworkXml.Parse($"<network><name>{name}</name><forward mode='nat'/><bridge name='{name}br'/><ip address='10.0.{(active ? 1 : 2)}.1' prefix='24'/></network>");
            test.Definitions.Save(definition);
            if (!active) continue;
            test.Live.BeginStart(definition);
            test.Live.MarkActive(name, transient: false);
        }
    }

    private LeaseQuery Query()
    {
        var ports = test.Ports();
        return new LeaseQuery(ports, new NetworkCatalog(ports));
    }

    private static DhcpLease Lease(string address, string mac, DhcpLeaseState state = DhcpLeaseState.Bound) =>
        new(IPAddress.Parse(address), PhysicalAddress.Parse(mac.Replace(':', '-').ToUpperInvariant()), null, null, null, state);

    [Fact]
    public void An_unknown_network_is_not_found()
    {
        var e = Assert.Throws<NetworkProblemException>(() => Query().List("nosuch", null));
        Assert.Equal("VNetworkNotFound", e.First.ErrorId);
        Assert.Equal("nosuch", e.First.Target);
    }

    [Fact]
    public void Only_bound_leases_are_listed_in_address_order()
    {
        test.Dhcp.Leases.AddRange([
            Lease("10.0.1.100", "52:54:00:00:00:03"),
            Lease("10.0.1.9", "52:54:00:00:00:01"),
            Lease("10.0.1.50", "52:54:00:00:00:05", DhcpLeaseState.Declined),
            Lease("10.0.1.10", "52:54:00:00:00:02"),
            Lease("10.0.1.20", "52:54:00:00:00:04", DhcpLeaseState.Offered),
        ]);

        var leases = Query().List("up", null);

        // Numeric order: a text sort would put .10 and .100 before .9.
        Assert.Equal(["10.0.1.9", "10.0.1.10", "10.0.1.100"], leases.Select(l => l.Address.ToString()));
        Assert.All(leases, l => Assert.Equal("up", l.Network));
        Assert.Equal("52:54:00:00:00:01", leases[0].MacAddress);
    }

    [Fact]
    public void The_mac_filter_in_canonical_form_selects_one_client()
    {
        test.Dhcp.Leases.AddRange([Lease("10.0.1.9", "52:54:00:aa:bb:01"), Lease("10.0.1.10", "52:54:00:aa:bb:02")]);

        var lease = Assert.Single(Query().List("up", "52:54:00:aa:bb:02"));

        Assert.Equal("10.0.1.10", lease.Address.ToString());
        Assert.Equal("52:54:00:aa:bb:02", lease.MacAddress); // lower case, colon separated, like the filter
    }

    private static Dhcp6Lease Lease6(string address, string duid, uint iaid, string? name = null) =>
        new(IPAddress.Parse(address), Duid.Parse(duid), iaid, name, DateTimeOffset.UnixEpoch.AddYears(100), Dhcp6LeaseState.Bound);

    [Fact]
    public void IPv6_leases_follow_the_IPv4_ones_in_address_order_with_their_duid_and_iaid()
    {
        test.Dhcp.Leases.Add(Lease("10.0.1.9", "52:54:00:00:00:01"));
        test.Dhcp.Leases6.AddRange([
            Lease6("fd00:1::100", "00:03:00:01:52:54:00:00:00:02", 2),
            Lease6("fd00:1::20", "00:03:00:01:52:54:00:00:00:01", 1, "web1"),
        ]);

        var leases = Query().List("up", null);

        Assert.Equal(["10.0.1.9", "fd00:1::20", "fd00:1::100"], leases.Select(l => l.Address.ToString()));
        var ipv6 = leases[1];
        Assert.Equal(("00:03:00:01:52:54:00:00:00:01", 1u, "web1"), (ipv6.Duid!.ToString(), ipv6.Iaid!.Value, ipv6.HostName));
        Assert.Null(ipv6.MacAddress);
        Assert.Null(leases[0].Duid);
        Assert.Null(leases[0].Iaid);
    }

    [Fact]
    public void A_mac_filter_leaves_the_IPv6_leases_out_and_a_duid_filter_the_IPv4_ones()
    {
        test.Dhcp.Leases.Add(Lease("10.0.1.9", "52:54:00:00:00:01"));
        test.Dhcp.Leases6.AddRange([Lease6("fd00:1::20", "00:03:00:01:52:54:00:00:00:01", 1), Lease6("fd00:1::21", "00:03:00:01:52:54:00:00:00:02", 1)]);

        Assert.Equal("10.0.1.9", Assert.Single(Query().List("up", "52:54:00:00:00:01")).Address.ToString());
        // Equal DUIDs whatever their text: dnsmasq's "0:3:0:1:…" is the same client.
        var byDuid = Assert.Single(Query().List("up", null, Duid.Parse("0:3:0:1:52:54:0:0:0:2")));
        Assert.Equal("fd00:1::21", byDuid.Address.ToString());
    }

    [Fact]
    public void A_network_without_leases_lists_none()
    {
        Assert.Empty(Query().List("up", null));
        Assert.Empty(Query().List("down", null)); // an inactive network's lease file may be empty too
    }

    [Fact]
    public void Active_networks_are_the_running_ones_only()
    {
        var transient = NetworkXml.Parse("<network><name>temp</name><forward mode='nat'/><bridge name='tempbr'/><ip address='10.0.3.1' prefix='24'/></network>");
        test.Live.BeginStart(transient);
        test.Live.MarkActive("temp", transient: true);
        test.Live.BeginStart(test.Definitions.Load("down")!.Definition); // an interrupted start is not active

        Assert.Equal(["temp", "up"], Query().ActiveNetworks());
    }
}
