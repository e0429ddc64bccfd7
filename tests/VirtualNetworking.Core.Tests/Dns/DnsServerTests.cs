using System.Net;
using VirtualNetworking.Core.Dns;
using static VirtualNetworking.Core.Tests.Dns.DnsTestKit;

namespace VirtualNetworking.Core.Tests.Dns;

/// <summary>The decisions of <see cref="DnsServer.Handle"/> for names answered here, refused or malformed.</summary>
public class DnsServerTests
{
    private static readonly DateTimeOffset InAnHour = T0.AddHours(1);

    private static DnsServer GuestServer(string inner = "<domain name='vm.test'/>", string forward = "<forward mode='nat'/>", DnsServerOptions? options = null) =>
        Server(Network(inner + """
            <dns>
              <host ip='fd00::10'><hostname>web</hostname></host>
              <txt name='info' value='hello,world'/>
              <srv service='http' protocol='tcp' target='web.vm.test' port='8080'/>
            </dns>
            """, forward), [Lease("192.168.122.10", "web", 1, InAnHour), Lease("192.168.122.11", "db", 2, InAnHour)], options);

    private static IPAddress Address(DnsRecord record) => ((DnsAddressData)record.Data).Address;

    [Fact]
    public void A_guest_name_is_answered_authoritatively_with_ttl_0_echoing_id_case_and_rd()
    {
        var server = GuestServer();
        var answer = Parse(Assert.IsType<DnsAnswer>(server.Handle(Query("WEB.vm.test", DnsType.A, id: 0x1357), UdpClient, T0)).Message);
        Assert.Equal(0x1357, answer.Id);
        Assert.True(answer.IsResponse && answer.Authoritative && answer.RecursionDesired && answer.RecursionAvailable);
        Assert.Equal(DnsResponseCode.NoError, answer.ResponseCode);
        var record = Assert.Single(answer.Answers);
        Assert.Equal("WEB.vm.test", record.Name.ToString());
        Assert.Equal(0u, record.Ttl);
        Assert.Equal(Ip("192.168.122.10"), Address(record));
        Assert.Equal(Ip("192.168.122.11"), Address(Ask(server, "db", DnsType.A).Answers.Single()));
        Assert.Equal(Ip("fd00::10"), Address(Ask(server, "web", DnsType.AAAA).Answers.Single()));
        Assert.False(Ask(server, "web", DnsType.A, recursionDesired: false).RecursionDesired);
    }

    [Fact]
    public void A_name_we_hold_without_the_type_asked_is_nodata_not_forwarded()
    {
        var answer = Ask(GuestServer(), "db.vm.test", DnsType.AAAA);
        Assert.Equal(DnsResponseCode.NoError, answer.ResponseCode);
        Assert.Empty(answer.Answers);
        Assert.Empty(answer.Authorities);
        Assert.True(answer.Authoritative);
        Assert.Empty(Ask(GuestServer(), "info", DnsType.A).Answers);
    }

    [Fact]
    public void Ptr_txt_and_srv_are_answered_and_srv_targets_come_with_their_addresses()
    {
        var server = GuestServer();
        Assert.Equal(new DnsNameData(N("web.vm.test")), Ask(server, "10.122.168.192.in-addr.arpa", DnsType.PTR).Answers.Single().Data);
        Assert.Equal(["hello", "world"], ((DnsTxtData)Ask(server, "info", DnsType.TXT).Answers.Single().Data).Texts);
        var srv = Ask(server, "_http._tcp.vm.test", DnsType.SRV);
        Assert.Equal(new DnsSrvData(0, 0, 8080, N("web.vm.test")), srv.Answers.Single().Data);
        Assert.Equal([Ip("192.168.122.10"), Ip("fd00::10")], srv.Additionals.Select(Address).OrderBy(a => a.AddressFamily));
        Assert.All(srv.Additionals, r => Assert.Equal(N("web.vm.test"), r.Name));
    }

    [Fact]
    public void Any_gets_a_minimal_answer_the_names_addresses_else_its_first_rrset()
    {
        var server = GuestServer();
        var web = Ask(server, "web", DnsType.ANY);
        Assert.Equal([DnsType.A, DnsType.AAAA], web.Answers.Select(a => a.Type).Order());
        Assert.Equal([DnsType.TXT], Ask(server, "info", DnsType.ANY).Answers.Select(a => a.Type));
    }

    [Fact]
    public void Local_ttl_is_configurable()
    {
        var server = GuestServer(options: new DnsServerOptions { LocalTtl = 30 });
        Assert.Equal(30u, Ask(server, "web", DnsType.A).Answers.Single().Ttl);
        Assert.Throws<ArgumentOutOfRangeException>(() => GuestServer(options: new DnsServerOptions { LocalTtl = uint.MaxValue }));
    }

    [Fact]
    public void A_local_only_domain_answers_nxdomain_for_unknown_names_and_nodata_above_known_ones()
    {
        var server = Server(Network("<domain name='example.com' localOnly='yes'/>"), [Lease("192.168.122.10", "web", 1, InAnHour)]);
        var unknown = Ask(server, "nothere.example.com", DnsType.A);
        Assert.Equal(DnsResponseCode.NXDomain, unknown.ResponseCode);
        Assert.True(unknown.Authoritative);
        Assert.Empty(unknown.Authorities);
        var apex = Ask(server, "example.com", DnsType.A);
        Assert.Equal(DnsResponseCode.NoError, apex.ResponseCode);
        Assert.Empty(apex.Answers);
        Assert.Equal(2, server.GetStatistics().AnsweredLocally);
        Assert.Equal(1, server.GetStatistics().NxDomain);
        Assert.Equal(0, server.GetStatistics().Forwarded);
    }

    [Fact]
    public void Plain_names_are_never_forwarded_with_forwardPlainNames_no()
    {
        var server = Server(Network("<dns forwardPlainNames='no'/>"), [Lease("192.168.122.10", "web", 1, InAnHour)]);
        Assert.Equal(DnsResponseCode.NXDomain, Ask(server, "printer", DnsType.A).ResponseCode);
        Assert.Equal(DnsResponseCode.NXDomain, Ask(server, "printer", DnsType.MX).ResponseCode);
        Assert.Single(Ask(server, "web", DnsType.A).Answers);
        Assert.IsType<DnsForward>(server.Handle(Query("printer.example.org", DnsType.A), UdpClient, T0));
    }

    [Fact]
    public void A_forwarder_domain_without_address_is_answered_locally()
    {
        var server = Server(Network("<dns><forwarder domain='www.example.com'/></dns>"));
        Assert.Equal(DnsResponseCode.NXDomain, Ask(server, "www.example.com", DnsType.A).ResponseCode);
        Assert.Equal(DnsResponseCode.NXDomain, Ask(server, "a.www.example.com", DnsType.AAAA).ResponseCode);
        Assert.IsType<DnsForward>(server.Handle(Query("example.com", DnsType.A), UdpClient, T0));
    }

    [Fact]
    public void An_isolated_network_refuses_names_it_does_not_hold()
    {
        var server = GuestServer(forward: "");
        var refused = Ask(server, "www.example.org", DnsType.A);
        Assert.Equal(DnsResponseCode.Refused, refused.ResponseCode);
        Assert.False(refused.RecursionAvailable);
        Assert.Single(Ask(server, "web", DnsType.A).Answers);
        Assert.Equal(1, server.GetStatistics().Refused);
        Assert.Equal(0, server.GetStatistics().Forwarded);
    }

    [Fact]
    public void Without_any_upstream_a_forwarded_name_is_refused()
    {
        var server = GuestServer();
        server.UseHostResolvers([new IPEndPoint(Ip("192.168.122.1"), 53)]);
        Assert.Empty(server.HostResolvers);
        Assert.Equal(DnsResponseCode.Refused, Ask(server, "www.example.org", DnsType.A).ResponseCode);
    }

    [Fact]
    public void Local_ptr_answers_the_whole_subnets_reverse_zone_here()
    {
        var network = Core.Xml.NetworkXml.Parse("""
            <network>
              <name>ptr</name><forward mode='nat'/>
              <ip address='192.168.122.1' prefix='24' localPtr='yes'><dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp></ip>
            </network>
            """);
        var server = Server(network, [Lease("192.168.122.10", "web", 1, InAnHour)]);
        Assert.Equal(new DnsNameData(N("web")), Ask(server, "10.122.168.192.in-addr.arpa", DnsType.PTR).Answers.Single().Data);
        Assert.Equal(new DnsNameData(N("_gateway")), Ask(server, "1.122.168.192.in-addr.arpa", DnsType.PTR).Answers.Single().Data);
        Assert.Equal(DnsResponseCode.NXDomain, Ask(server, "99.122.168.192.in-addr.arpa", DnsType.PTR).ResponseCode);
        Assert.IsType<DnsForward>(server.Handle(Query("99.123.168.192.in-addr.arpa", DnsType.PTR), UdpClient, T0));
    }

    [Fact]
    public void A_new_zone_answers_names_of_new_leases_and_forgets_ended_ones()
    {
        var network = Network();
        var server = Server(network, [Lease("192.168.122.10", "web", 1, InAnHour)]);
        Assert.Single(Ask(server, "web", DnsType.A).Answers);
        server.Zone = DnsZone.Build(network, [Lease("192.168.122.12", "new", 3, InAnHour)], [], T0);
        Assert.Single(Ask(server, "new", DnsType.A).Answers);
        Assert.IsType<DnsForward>(server.Handle(Query("web", DnsType.A), UdpClient, T0));
    }

    [Fact]
    public void Edns_queries_get_our_opt_with_1232_and_their_do_bit()
    {
        var answer = Ask(GuestServer(), "web", DnsType.A, edns: new DnsEdns(4096, 0, DnssecOk: true) { Options = [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8] });
        Assert.Equal(new DnsEdns(1232, 0, DnssecOk: true), answer.Edns);
        Assert.Null(Ask(GuestServer(), "web", DnsType.A).Edns);
    }

    [Fact]
    public void An_answer_too_big_for_udp_is_truncated_and_whole_over_tcp()
    {
        var hosts = string.Concat(Enumerable.Range(1, 60).Select(i => $"<host ip='fd00::{i:x}'><hostname>many</hostname></host>"));
        var server = Server(Network($"<dns>{hosts}</dns>"));
        var udp = Assert.IsType<DnsAnswer>(server.Handle(Query("many", DnsType.AAAA), UdpClient, T0));
        Assert.True(udp.Truncated);
        Assert.True(udp.Message.Length <= 512);
        Assert.True(Parse(udp.Message).Truncated);
        Assert.Empty(Parse(udp.Message).Answers);
        var edns = Parse(Assert.IsType<DnsAnswer>(server.Handle(Query("many", DnsType.AAAA, edns: new DnsEdns(4096)), UdpClient, T0)).Message);
        Assert.True(edns.Truncated);
        Assert.Equal(60, Ask(server, "many", DnsType.AAAA, client: TcpClient).Answers.Count);
        Assert.Equal(2, server.GetStatistics().Truncated);
    }

    public static TheoryData<string, byte[]> Dropped => new()
    {
        { "empty", [] },
        { "shorter than a header", [1, 2, 3, 4, 5] },
        { "a response", Cat(Header(flags: 0x8180), W("web"), U16(1), U16(1)) },
    };

    [Theory]
    [MemberData(nameof(Dropped))]
    public void Input_without_a_query_header_is_dropped(string what, byte[] bytes)
    {
        var server = GuestServer();
        Assert.IsType<DnsDrop>(server.Handle(bytes, UdpClient, T0));
        Assert.Equal(1, server.GetStatistics().Dropped);
        Assert.Equal(what == "a response" ? 0 : 1, server.GetStatistics().Malformed);
    }

    public static TheoryData<string, byte[], DnsResponseCode, int> Refusals => new()
    {
        { "a body that does not parse", Cat(Header(id: 0x7777), [10, (byte)'w']), DnsResponseCode.FormErr, 0 },
        { "two questions", Cat(Header(id: 0x7777, qd: 2), W("a"), U16(1), U16(1), W("b"), U16(1), U16(1)), DnsResponseCode.FormErr, 2 },
        { "no question", Header(id: 0x7777, qd: 0), DnsResponseCode.FormErr, 0 },
        { "an answer in a query", Cat(Header(id: 0x7777, an: 1), W("web"), U16(1), U16(1), [0], U16(1), U16(1), U32(0), U16(4), [1, 2, 3, 4]), DnsResponseCode.FormErr, 1 },
        { "a question for OPT", Cat(Header(id: 0x7777), W("web"), U16(41), U16(1)), DnsResponseCode.FormErr, 1 },
        { "NOTIFY", Cat(Header(id: 0x7777, flags: 4 << 11), W("web"), U16(6), U16(1)), DnsResponseCode.NotImp, 1 },
        { "UPDATE", Cat(Header(id: 0x7777, flags: 5 << 11), W("web"), U16(6), U16(1)), DnsResponseCode.NotImp, 1 },
        { "STATUS", Cat(Header(id: 0x7777, flags: 2 << 11), W("web"), U16(1), U16(1)), DnsResponseCode.NotImp, 1 },
        { "class CH (version.bind)", Cat(Header(id: 0x7777), W("version.bind"), U16(16), U16(3)), DnsResponseCode.NotImp, 1 },
        { "AXFR", Cat(Header(id: 0x7777), W("vm.test"), U16(252), U16(1)), DnsResponseCode.NotImp, 1 },
        { "MAILB", Cat(Header(id: 0x7777), W("vm.test"), U16(253), U16(1)), DnsResponseCode.NotImp, 1 },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Malformed_and_unsupported_queries_get_an_error_with_their_id(string what, byte[] bytes, DnsResponseCode code, int questions)
    {
        var server = GuestServer();
        var answer = Assert.IsType<DnsAnswer>(server.Handle(bytes, UdpClient, T0));
        var response = Parse(answer.Message);
        Assert.Equal(0x7777, response.Id);
        Assert.True(response.IsResponse, what);
        Assert.Equal(code, response.ResponseCode);
        Assert.Equal(DnsAnswerSource.Server, answer.Source);
        Assert.Equal(questions, response.Questions.Count);
        Assert.Equal(code == DnsResponseCode.FormErr ? 1 : 0, server.GetStatistics().Malformed);
        Assert.Equal(code == DnsResponseCode.NotImp ? 1 : 0, server.GetStatistics().NotImplemented);
    }

    [Fact]
    public void An_edns_version_above_0_gets_badvers()
    {
        var answer = Ask(GuestServer(), "web", DnsType.A, edns: new DnsEdns(1232, Version: 1));
        Assert.Equal(DnsResponseCode.BadVers, answer.ResponseCode);
        Assert.Equal(0, answer.Edns!.Version);
        Assert.Empty(answer.Answers);
    }

    [Fact]
    public void Counters_add_up()
    {
        var server = GuestServer();
        Ask(server, "web", DnsType.A);
        Assert.IsType<DnsForward>(server.Handle(Query("nothere.vm.test", DnsType.A), TcpClient, T0));
        server.Handle([1, 2], UdpClient, T0);
        var stats = server.GetStatistics();
        Assert.Equal(3, stats.Queries);
        Assert.Equal(1, stats.AnsweredLocally);
        Assert.Equal(1, stats.Forwarded);
        Assert.Equal(1, stats.InFlight);
        Assert.Equal(1, stats.Malformed);
    }
}
