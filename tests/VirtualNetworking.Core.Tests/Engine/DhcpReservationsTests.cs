using System.Net;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Model;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Engine;

/// <summary>Reservations of a dual-stack network: IPv4 ones by MAC, IPv6 ones by DUID or by name (libvirt's &lt;host id&gt;).</summary>
public sealed class DhcpReservationsTests
{
    private const string Guest1 = "00:03:00:01:52:54:00:00:00:01";

    private static NetworkDefinition DualStack(bool ipv6Dhcp = true) => NetworkXml.Parse(
        "<network><name>dual</name><uuid>8d5e4a5c-4f7a-4c3e-9a53-3c3b6e7e0f11</uuid><forward mode='nat'/><bridge name='dualbr'/>" +
        "<ip address='10.0.5.1' prefix='24'><dhcp><range start='10.0.5.10' end='10.0.5.200'/></dhcp></ip>" +
        $"<ip family='ipv6' address='fd00:5::1' prefix='64'>{(ipv6Dhcp ? "<dhcp><range start='fd00:5::100' end='fd00:5::1ff'/></dhcp>" : "")}</ip></network>");

    private static IPAddress Ip(string text) => IPAddress.Parse(text);

    [Fact]
    public void A_duid_reservation_is_a_host_id_in_the_IPv6_dhcp_block_and_reads_back()
    {
        var network = DualStack();

        // dnsmasq's short form: the DUID is stored as Duid prints it.
        DhcpReservations.Add(network, null, "0:3:0:1:52:54:0:0:0:1", Ip("fd00:5::10"), "web1");

        var xml = NetworkXml.Format(NetworkXml.Parse(NetworkXml.Format(network)));
        Assert.Contains($"<host id='{Guest1}' name='web1' ip='fd00:5::10'/>", xml.Replace('"', '\''));
        var entry = Assert.Single(DhcpReservations.List(network));
        Assert.Equal(new DhcpReservationEntry("dual", null, Guest1, Ip("fd00:5::10"), "web1"), entry);
        Assert.Empty(network.Ips[0].Dhcp!.Hosts);
    }

    [Fact]
    public void The_DHCPv6_scope_serves_the_reservation()
    {
        var network = DualStack();
        DhcpReservations.Add(network, null, Guest1, Ip("fd00:5::10"), null);

        var reservation = Assert.Single(Dhcp6ScopeBuilder.FromNetwork(network)!.Reservations);

        Assert.Equal((Duid.Parse(Guest1), Ip("fd00:5::10")), (reservation.ClientId, reservation.Address));
    }

    [Fact]
    public void An_IPv6_host_by_name_alone_is_kept_and_removed_by_its_address()
    {
        var network = DualStack();
        DhcpReservations.Add(network, null, null, Ip("fd00:5::11"), "db1");

        Assert.Equal(new DhcpReservationEntry("dual", null, null, Ip("fd00:5::11"), "db1"), Assert.Single(DhcpReservations.List(network)));
        var removed = DhcpReservations.Remove(network, null, null, Ip("fd00:5::11"));
        Assert.Equal("db1", removed.HostName);
        Assert.Empty(DhcpReservations.List(network));
    }

    [Fact]
    public void An_IPv6_prefix_without_a_dhcp_block_gets_one_with_the_host()
    {
        var network = DualStack(ipv6Dhcp: false);

        DhcpReservations.Add(network, null, Guest1, Ip("fd00:5::10"), null);

        Assert.Equal(Guest1, Assert.Single(network.Ips[1].Dhcp!.Hosts).Id);
    }

    [Fact]
    public void A_dual_stack_guest_may_have_one_name_in_both_families_but_not_twice_in_one()
    {
        var network = DualStack();
        DhcpReservations.Add(network, "52:54:00:00:00:01", null, Ip("10.0.5.10"), "web1");
        DhcpReservations.Add(network, null, Guest1, Ip("fd00:5::10"), "web1");

        var e = Assert.Throws<NetworkProblemException>(() => DhcpReservations.Add(network, null, "00:03:00:01:52:54:00:00:00:02", Ip("fd00:5::11"), "web1"));

        Assert.Equal((ErrorIds.ReservationExists, ProblemCategory.ResourceExists), (e.First.ErrorId, e.First.Category));
        Assert.Equal(2, DhcpReservations.List(network).Count);
    }

    [Fact]
    public void The_same_duid_twice_is_refused()
    {
        var network = DualStack();
        DhcpReservations.Add(network, null, Guest1, Ip("fd00:5::10"), null);

        var e = Assert.Throws<NetworkProblemException>(() => DhcpReservations.Add(network, null, "00:03:00:01:52:54:00:00:00:01", Ip("fd00:5::12"), null));

        Assert.Equal(ErrorIds.ReservationExists, e.First.ErrorId);
        Assert.Contains(Guest1, e.First.Message);
    }

    public static TheoryData<string, string?, string?, string, string?> Refusals => new()
    {
        // ErrorId, MAC, DUID, address, name
        { ErrorIds.ReservationFamilyMismatch, "52:54:00:00:00:01", null, "fd00:5::10", null },
        { ErrorIds.ReservationFamilyMismatch, null, Guest1, "10.0.5.10", null },
        { ErrorIds.ReservationFamilyMismatch, "52:54:00:00:00:01", Guest1, "fd00:5::10", null },
        { ErrorIds.ReservationIdentityMissing, null, null, "10.0.5.10", "web1" },
        { ErrorIds.ReservationIdentityMissing, null, null, "fd00:5::10", null },
        { ErrorIds.DuidInvalid, null, "00:03", "fd00:5::10", null },
        { ErrorIds.DuidInvalid, null, "00:03:00:01:zz", "fd00:5::10", null },
        { ErrorIds.ReservationOutsideSubnet, null, Guest1, "fd00:6::10", null },
        { ErrorIds.ReservationOutsideSubnet, null, Guest1, "fd00:5::", null },
        { ErrorIds.ReservationOutsideSubnet, null, Guest1, "fd00:5::1", null },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_refused_reservation_says_why_and_changes_nothing(string errorId, string? mac, string? duid, string address, string? name)
    {
        var network = DualStack();
        var before = NetworkXml.Format(network);

        var e = Assert.Throws<NetworkProblemException>(() => DhcpReservations.Add(network, mac, duid, Ip(address), name));

        Assert.Equal((errorId, ProblemCategory.InvalidArgument), (e.First.ErrorId, e.First.Category));
        Assert.Equal(before, NetworkXml.Format(network));
    }

    [Fact]
    public void An_IPv4_only_network_has_no_prefix_for_an_IPv6_reservation()
    {
        var network = NetworkXml.Parse("<network><name>v4</name><ip address='10.0.6.1' prefix='24'/></network>");

        var e = Assert.Throws<NetworkProblemException>(() => DhcpReservations.Add(network, null, Guest1, Ip("fd00:5::10"), null));

        Assert.Equal(ErrorIds.ReservationOutsideSubnet, e.First.ErrorId);
        Assert.Contains("no IPv6 address", e.First.Message);
    }

    [Fact]
    public void Remove_takes_the_reservation_of_the_duid_in_any_spelling_and_leaves_the_IPv4_one()
    {
        var network = DualStack();
        DhcpReservations.Add(network, "52:54:00:00:00:01", null, Ip("10.0.5.10"), "web1");
        DhcpReservations.Add(network, null, Guest1, Ip("fd00:5::10"), "web1");

        var removed = DhcpReservations.Remove(network, null, "0:3:0:1:52:54:0:0:0:1", null);

        Assert.Equal(Ip("fd00:5::10"), removed.IPAddress);
        Assert.Equal("52:54:00:00:00:01", Assert.Single(DhcpReservations.List(network)).MacAddress);
    }

    [Theory]
    [InlineData(ErrorIds.ReservationIdentityMissing, null, null, null)]
    [InlineData(ErrorIds.ReservationFamilyMismatch, null, Guest1, "10.0.5.10")]
    [InlineData(ErrorIds.ReservationFamilyMismatch, "52:54:00:00:00:01", null, "fd00:5::10")]
    [InlineData(ErrorIds.ReservationNotFound, null, "00:03:00:01:52:54:00:00:00:09", null)]
    public void A_refused_removal_changes_nothing(string errorId, string? mac, string? duid, string? address)
    {
        var network = DualStack();
        DhcpReservations.Add(network, null, Guest1, Ip("fd00:5::10"), null);
        var before = NetworkXml.Format(network);

        var e = Assert.Throws<NetworkProblemException>(() => DhcpReservations.Remove(network, mac, duid, address is null ? null : Ip(address)));

        Assert.Equal(errorId, e.First.ErrorId);
        Assert.Equal(before, NetworkXml.Format(network));
    }
}
