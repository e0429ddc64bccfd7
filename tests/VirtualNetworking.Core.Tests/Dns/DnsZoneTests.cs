using System.Net;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Core.Dhcp6;
using VirtualNetworking.Core.Dns;
using static VirtualNetworking.Core.Tests.Dns.DnsTestKit;

namespace VirtualNetworking.Core.Tests.Dns;

public class DnsZoneTests
{
    private static readonly DateTimeOffset InAnHour = T0.AddHours(1);

    private static IEnumerable<IPAddress> Addresses(DnsZone zone, string name, DnsType type = DnsType.A) =>
        zone.Find(N(name)).Where(r => r.Type == type).Select(r => ((DnsAddressData)r.Data).Address);

    private static string? Pointer(DnsZone zone, string address) =>
        zone.Find(DnsName.ReverseOf(Ip(address))).Select(r => ((DnsNameData)r.Data).Name.ToString()).SingleOrDefault();

    [Fact]
    public void Dns_hosts_answer_bare_and_under_the_domain_with_one_pointer_per_address()
    {
        var network = Network("""
            <domain name='example.com'/>
            <dns>
              <host ip='192.168.122.122'><hostname>pudding</hostname></host>
              <host ip='192.168.122.2'><hostname>shared</hostname><hostname>names</hostname><hostname>fq.other.org</hostname></host>
              <host ip='fd8f:1391:3a82:150::c0a8:9603'><hostname>shared</hostname></host>
            </dns>
            """);
        var zone = DnsZone.Build(network, [], [], T0);

        Assert.Equal([Ip("192.168.122.122")], Addresses(zone, "pudding"));
        Assert.Equal([Ip("192.168.122.122")], Addresses(zone, "PUDDING.example.com"));
        Assert.Equal([Ip("192.168.122.2")], Addresses(zone, "names.example.com"));
        Assert.Equal([Ip("fd8f:1391:3a82:150::c0a8:9603")], Addresses(zone, "shared.example.com", DnsType.AAAA));
        // A name with a dot is not expanded.
        Assert.Equal([Ip("192.168.122.2")], Addresses(zone, "fq.other.org"));
        Assert.Empty(zone.Find(N("fq.other.org.example.com")));
        // The first name of an address answers its PTR, fully qualified.
        Assert.Equal("pudding.example.com", Pointer(zone, "192.168.122.122"));
        Assert.Equal("shared.example.com", Pointer(zone, "192.168.122.2"));
        Assert.Equal("shared.example.com", Pointer(zone, "fd8f:1391:3a82:150::c0a8:9603"));
        Assert.All(zone.Find(N("pudding")), r => Assert.Equal(DnsRecordSource.Host, r.Source));
    }

    [Fact]
    public void The_gateway_is_the_networks_own_addresses()
    {
        var network = Network(ip: "", inner: "<domain name='example.com'/><ip family='ipv6' address='fd00:1::1' prefix='64'/>");
        var zone = DnsZone.Build(network, [], [], T0);
        Assert.Equal([Ip("192.168.122.1")], Addresses(zone, "_gateway"));
        Assert.Equal([Ip("fd00:1::1")], Addresses(zone, "_gateway.example.com", DnsType.AAAA));
        Assert.Equal("_gateway.example.com", Pointer(zone, "192.168.122.1"));
    }

    [Fact]
    public void Dhcpv6_lease_names_give_aaaa_records_beside_the_dhcpv4_names_of_the_same_guest()
    {
        var network = Network("<domain name='vm.test'/>");
        var duid = Duid.Parse("00:03:00:01:52:54:00:00:00:01");
        var zone = DnsZone.Build(network, [Lease("192.168.122.10", "web", 1, InAnHour)],
        [
            new Dhcp6Lease(IPAddress.Parse("fd00::10"), duid, 1, "web", InAnHour, Dhcp6LeaseState.Bound),
            new Dhcp6Lease(IPAddress.Parse("fd00::11"), duid, 2, "old", T0, Dhcp6LeaseState.Bound),             // expires now: gone
            new Dhcp6Lease(IPAddress.Parse("fd00::12"), duid, 3, "declined", InAnHour, Dhcp6LeaseState.Declined),
        ], T0);
        Assert.Equal([Ip("192.168.122.10")], Addresses(zone, "web.vm.test"));
        Assert.Equal([IPAddress.Parse("fd00::10")], Addresses(zone, "web.vm.test", DnsType.AAAA));
        Assert.Equal([IPAddress.Parse("fd00::10")], Addresses(zone, "web", DnsType.AAAA));
        Assert.Equal("web.vm.test", Pointer(zone, "fd00::10"));
        Assert.Empty(Addresses(zone, "old", DnsType.AAAA));
        Assert.Empty(Addresses(zone, "declined", DnsType.AAAA));
    }

    [Fact]
    public void Lease_names_follow_bound_unexpired_leases_bare_and_under_the_domain()
    {
        var network = Network("<domain name='vm.test'/>");
        var zone = DnsZone.Build(network,
        [
            Lease("192.168.122.10", "web", 1, InAnHour),
            Lease("192.168.122.11", "old", 2, T0),                                  // expires now: gone
            Lease("192.168.122.12", "offered", 3, InAnHour, DhcpLeaseState.Offered),
            Lease("192.168.122.13", "declined", 4, InAnHour, DhcpLeaseState.Declined),
            Lease("192.168.122.14", "forever", 5, null),
            Lease("192.168.122.15", "db.elsewhere.org", 6, InAnHour),              // the client's domain is ignored
            Lease("192.168.122.16", "-bad", 7, InAnHour),
            Lease("192.168.122.17", "has space", 8, InAnHour),
            Lease("192.168.122.18", null, 9, InAnHour),
        ], [], T0);

        Assert.Equal([Ip("192.168.122.10")], Addresses(zone, "web"));
        Assert.Equal([Ip("192.168.122.10")], Addresses(zone, "web.vm.test"));
        Assert.Equal("web.vm.test", Pointer(zone, "192.168.122.10"));
        Assert.Empty(zone.Find(N("old")));
        Assert.Empty(zone.Find(N("offered")));
        Assert.Empty(zone.Find(N("declined")));
        Assert.Equal([Ip("192.168.122.14")], Addresses(zone, "forever"));
        Assert.Equal([Ip("192.168.122.15")], Addresses(zone, "db.vm.test"));
        Assert.Empty(zone.Find(N("db.elsewhere.org")));
        Assert.Null(Pointer(zone, "192.168.122.16"));
        Assert.Null(Pointer(zone, "192.168.122.17"));
        Assert.Null(Pointer(zone, "192.168.122.18"));
        Assert.Equal(3, zone.Records.Count(r => r.Source == DnsRecordSource.Lease && r.Type == DnsType.PTR));
    }

    [Fact]
    public void A_second_client_claiming_a_name_takes_it_over()
    {
        var network = Network();
        var first = Lease("192.168.122.10", "ubuntu", 1, T0.AddMinutes(30));
        var second = Lease("192.168.122.11", "Ubuntu", 2, T0.AddMinutes(59));
        Assert.Equal([Ip("192.168.122.11")], Addresses(DnsZone.Build(network, [first, second], [], T0), "ubuntu"));
        Assert.Equal([Ip("192.168.122.11")], Addresses(DnsZone.Build(network, [second, first], [], T0), "ubuntu"));
        // The loser keeps no PTR either; renewing makes the first the latest again.
        Assert.Null(Pointer(DnsZone.Build(network, [first, second], [], T0), "192.168.122.10"));
        Assert.Equal([Ip("192.168.122.10")], Addresses(DnsZone.Build(network, [first with { Expires = T0.AddMinutes(90) }, second], [], T0), "ubuntu"));
        // Equal expiry: the lease listed later wins.
        Assert.Equal([Ip("192.168.122.10")], Addresses(DnsZone.Build(network, [second with { Expires = first.Expires }, first], [], T0), "ubuntu"));
        // When the holder releases its lease, the name goes back to the other client.
        Assert.Equal([Ip("192.168.122.10")], Addresses(DnsZone.Build(network, [first], [], T0), "ubuntu"));
    }

    [Fact]
    public void Reservation_names_answer_without_a_lease_and_are_never_taken_over()
    {
        var network = Network("<domain name='example.com'/>",
            ip: "<host mac='00:16:3e:77:e2:ed' name='a.example.com' ip='192.168.122.10'/><host mac='00:16:3e:3e:a9:1a' name='b' ip='192.168.122.11'/>");
        var zone = DnsZone.Build(network, [Lease("192.168.122.50", "b", 9, InAnHour)], [], T0);
        Assert.Equal([Ip("192.168.122.10")], Addresses(zone, "a"));
        Assert.Equal([Ip("192.168.122.10")], Addresses(zone, "a.example.com"));
        Assert.Equal([Ip("192.168.122.11")], Addresses(zone, "b.example.com"));
        Assert.Null(Pointer(zone, "192.168.122.50"));
        Assert.Equal(DnsRecordSource.Reservation, zone.Find(N("b")).Single().Source);
    }

    [Fact]
    public void A_reservation_name_with_a_domain_but_no_network_domain_is_its_first_label()
    {
        var zone = DnsZone.Build(Network(ip: "<host mac='00:16:3e:77:e2:ed' name='a.example.com' ip='192.168.122.10'/>"), [], [], T0);
        Assert.Equal([Ip("192.168.122.10")], Addresses(zone, "a"));
        Assert.Empty(zone.Find(N("a.example.com")));
    }

    [Fact]
    public void Host_names_keep_their_address_against_a_lease_of_the_same_family()
    {
        var network = Network("<dns><host ip='192.168.122.200'><hostname>web</hostname></host><host ip='fd00::200'><hostname>v6only</hostname></host></dns>");
        var zone = DnsZone.Build(network, [Lease("192.168.122.10", "web", 1, InAnHour), Lease("192.168.122.11", "v6only", 2, InAnHour)], [], T0);
        Assert.Equal([Ip("192.168.122.200")], Addresses(zone, "web"));
        Assert.Null(Pointer(zone, "192.168.122.10"));
        // The host entry has no IPv4 address for v6only: the lease adds one.
        Assert.Equal([Ip("192.168.122.11")], Addresses(zone, "v6only"));
        Assert.Equal([Ip("fd00::200")], Addresses(zone, "v6only", DnsType.AAAA));
    }

    [Fact]
    public void Txt_values_split_at_commas_into_strings_of_at_most_255_octets()
    {
        var longValue = new string('x', 300);
        var network = Network($"<dns><txt name='example' value='example value'/><txt name='multi' value='a,,b'/><txt name='long' value='{longValue}'/></dns>");
        var zone = DnsZone.Build(network, [], [], T0);
        Assert.Equal(["example value"], ((DnsTxtData)zone.Find(N("example")).Single().Data).Texts);
        Assert.Equal(["a", "", "b"], ((DnsTxtData)zone.Find(N("multi")).Single().Data).Texts);
        Assert.Equal([255, 45], ((DnsTxtData)zone.Find(N("long")).Single().Data).Strings.Select(s => s.Length));
    }

    [Fact]
    public void Srv_names_take_their_own_domain_else_the_networks_else_none()
    {
        var srv = """
            <dns>
              <srv service='ldap' protocol='tcp' domain='corp.test' target='dc.corp.test' port='389' priority='1' weight='5'/>
              <srv service='sip' protocol='udp' target='pbx'/>
              <srv service='none' protocol='tcp' target='.' port='1024' priority='10' weight='10'/>
            </dns>
            """;
        var withDomain = DnsZone.Build(Network("<domain name='example.com'/>" + srv), [], [], T0);
        Assert.Equal(new DnsSrvData(1, 5, 389, N("dc.corp.test")), withDomain.Find(N("_ldap._tcp.corp.test")).Single().Data);
        Assert.Equal(new DnsSrvData(0, 0, 1, N("pbx")), withDomain.Find(N("_sip._udp.example.com")).Single().Data);
        Assert.Equal(new DnsSrvData(0, 0, 1, DnsName.Root), withDomain.Find(N("_none._tcp.example.com")).Single().Data);

        var withoutDomain = DnsZone.Build(Network(srv), [], [], T0);
        Assert.Single(withoutDomain.Find(N("_sip._udp")));
    }

    [Fact]
    public void Names_below_a_record_owner_exist_as_empty_non_terminals()
    {
        var zone = DnsZone.Build(Network("<domain name='example.com'/>"), [Lease("192.168.122.10", "web", 1, InAnHour)], [], T0);
        Assert.True(zone.HasNamesBelow(N("example.com")));
        Assert.True(zone.HasNamesBelow(N("122.168.192.in-addr.arpa")));
        Assert.False(zone.HasNamesBelow(N("web.example.com")));
        Assert.False(zone.HasNamesBelow(N("other.com")));
    }

    [Fact]
    public void A_zone_of_1000_leases_answers_every_guest_and_resolves_contested_names()
    {
        var network = NetworkWithSlash16();
        var leases = new List<DhcpLease>();
        for (var i = 0; i < 1000; i++)
            leases.Add(Lease($"10.20.{i / 250}.{i % 250 + 2}", $"guest{i}", i, T0.AddMinutes(10 + i)));
        // Guests 1000…1099 claim guest0…guest99 later: they win; guests 1100…1109 claimed earlier: they lose.
        for (var i = 0; i < 100; i++) leases.Add(Lease($"10.20.10.{i + 2}", $"GUEST{i}", 1000 + i, T0.AddDays(1)));
        for (var i = 0; i < 10; i++) leases.Add(Lease($"10.20.11.{i + 2}", $"guest{500 + i}", 1100 + i, T0.AddMinutes(1)));

        var zone = DnsZone.Build(network, leases, [], T0);

        for (var i = 0; i < 1000; i++)
        {
            var expected = i < 100 ? Ip($"10.20.10.{i + 2}") : Ip($"10.20.{i / 250}.{i % 250 + 2}");
            Assert.Equal([expected], Addresses(zone, $"guest{i}"));
            Assert.Equal([expected], Addresses(zone, $"guest{i}.big.test"));
            Assert.Equal($"guest{i}.big.test", Pointer(zone, expected.ToString()), ignoreCase: true);
        }
        Assert.Equal(1000, zone.Records.Count(r => r.Source == DnsRecordSource.Lease && r.Type == DnsType.PTR));
        Assert.Equal(2000, zone.Records.Count(r => r.Source == DnsRecordSource.Lease && r.Type == DnsType.A));
    }

    private static Model.NetworkDefinition NetworkWithSlash16() => Core.Xml.NetworkXml.Parse("""
        <network>
          <name>big</name>
          <forward mode='nat'/>
          <domain name='big.test'/>
          <ip address='10.20.255.1' prefix='16'><dhcp><range start='10.20.0.2' end='10.20.254.254'/></dhcp></ip>
        </network>
        """);
}
