using System.Net;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Engine;
using VirtualNetworking.Core.Live;
using VirtualNetworking.Core.Ports;
using VirtualNetworking.Core.Problems;
using VirtualNetworking.Core.Tests.Dns;
using VirtualNetworking.Core.Tests.Fakes;
using VirtualNetworking.Core.Xml;

namespace VirtualNetworking.Core.Tests.Live;

/// <summary>Get-VNetworkDnsRecord and Resolve-VNetworkName over fakes: the zone a network answers, and a question put to its server.</summary>
public sealed class NetworkDnsTests
{
    private const string Lab = """
        <network><name>lab</name><forward mode='nat'/><bridge name='virbr5'/><domain name='lab.test' localOnly='yes'/>
        <dns><txt name='info' value='hello'/><host ip='192.168.5.20'><hostname>db</hostname></host></dns>
        <ip address='192.168.5.1' prefix='24'><dhcp><range start='192.168.5.100' end='192.168.5.200'/>
        <host mac='52:54:00:00:00:05' name='web1' ip='192.168.5.10'/></dhcp></ip></network>
        """;

    private readonly TestHost test = new();
    private readonly ServerClient client = new();

    public NetworkDnsTests()
    {
        Define(Lab, active: true);
        Define("<network><name>quiet</name><forward mode='nat'/><bridge name='virbr6'/><dns enable='no'/><ip address='10.6.0.1' prefix='24'/></network>", active: true);
        Define("<network><name>down</name><forward mode='nat'/><bridge name='virbr7'/><ip address='10.7.0.1' prefix='24'/></network>", active: false);
        test.Dhcp.Leases.Add(DnsTestKit.Lease("192.168.5.150", "guest1", 9, DnsTestKit.T0.AddHours(1)));
    }

    private void Define(string xml, bool active)
    {
        var definition = NetworkXml.Parse(xml);
        test.Definitions.Save(definition);
        if (!active) return;
        test.Live.BeginStart(definition);
        test.Live.MarkActive(definition.Name, transient: false);
    }

    private NetworkDns Dns()
    {
        var ports = test.Ports();
        return new NetworkDns(ports, new NetworkCatalog(ports), client);
    }

    [Fact]
    public void Records_are_the_zone_of_the_live_definition_and_the_leases()
    {
        var records = Dns().Records("lab", DnsTestKit.T0)!;

        var rows = records.Select(r => (r.Record.Name.ToString(), DnsRecordText.Of(r.Record.Type), DnsRecordText.Of(r.Record.Data), r.Record.Source)).ToList();
        Assert.Contains(("db.lab.test", "A", "192.168.5.20", DnsRecordSource.Host), rows);
        Assert.Contains(("web1", "A", "192.168.5.10", DnsRecordSource.Reservation), rows);
        Assert.Contains(("guest1.lab.test", "A", "192.168.5.150", DnsRecordSource.Lease), rows);
        Assert.Contains(("150.5.168.192.in-addr.arpa", "PTR", "guest1.lab.test", DnsRecordSource.Lease), rows);
        Assert.Contains(("_gateway", "A", "192.168.5.1", DnsRecordSource.Gateway), rows);
        Assert.Contains(("info", "TXT", "hello", DnsRecordSource.Txt), rows);
        Assert.All(records, r => Assert.Equal(("lab", 0u), (r.Network, r.Ttl)));
    }

    [Fact]
    public void A_network_without_dns_has_no_records_and_an_inactive_one_is_an_error()
    {
        Assert.Null(Dns().Records("quiet", DnsTestKit.T0));
        Assert.Equal(ErrorIds.NotActive, Assert.Throws<NetworkProblemException>(() => Dns().Records("down", DnsTestKit.T0)).First.ErrorId);
        Assert.Equal(ErrorIds.NotFound, Assert.Throws<NetworkProblemException>(() => Dns().Records("nosuch", DnsTestKit.T0)).First.ErrorId);
        Assert.Equal(["lab", "quiet"], Dns().ActiveNetworks());
    }

    [Fact]
    public void Resolve_asks_the_bridge_address_on_port_53_and_returns_the_answer()
    {
        var lookup = Dns().Resolve("lab", "web1", null, DnsTransport.Udp, TimeSpan.FromSeconds(2));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.168.5.1"), 53), client.Asked.Single().Server);
        Assert.Equal(DnsResponseCode.NoError, lookup.ResponseCode);
        Assert.Null(lookup.Problem);
        var answer = Assert.Single(lookup.Records);
        Assert.Equal((DnsSection.Answer, DnsType.A, "192.168.5.10"), (answer.Section, answer.Record.Type, DnsRecordText.Of(answer.Record.Data)));
    }

    [Fact]
    public void An_address_asks_for_its_ptr_record()
    {
        var lookup = Dns().Resolve("lab", "192.168.5.150", null, DnsTransport.Tcp, TimeSpan.FromSeconds(2));

        Assert.Equal(DnsTransport.Tcp, client.Asked.Single().Transport);
        Assert.Equal("guest1.lab.test", DnsRecordText.Of(Assert.Single(lookup.Records).Record.Data));
    }

    [Fact]
    public void Nxdomain_is_the_lookups_problem_not_an_exception()
    {
        var lookup = Dns().Resolve("lab", "nosuch.lab.test", DnsType.A, DnsTransport.Udp, TimeSpan.FromSeconds(2));

        Assert.Equal(DnsResponseCode.NXDomain, lookup.ResponseCode);
        Assert.Equal((ErrorIds.DnsNameNotFound, ProblemCategory.ObjectNotFound), (lookup.Problem!.ErrorId, lookup.Problem.Category));
        Assert.DoesNotContain(lookup.Records, r => r.Section == DnsSection.Answer);
    }

    [Fact]
    public void Another_error_code_is_a_query_failure_that_says_which()
    {
        // No upstream in this test: a name outside the network's domain is refused.
        var lookup = Dns().Resolve("lab", "www.example.org", DnsType.A, DnsTransport.Udp, TimeSpan.FromSeconds(2));

        Assert.Equal(DnsResponseCode.Refused, lookup.ResponseCode);
        Assert.Equal(ErrorIds.DnsQueryFailed, lookup.Problem!.ErrorId);
        Assert.Contains("Refused", lookup.Problem.Message);
    }

    [Fact]
    public void A_truncated_udp_reply_is_asked_again_over_tcp()
    {
        client.TruncateUdp = true;
        var lookup = Dns().Resolve("lab", "web1", null, DnsTransport.Udp, TimeSpan.FromSeconds(2));

        Assert.Equal([DnsTransport.Udp, DnsTransport.Tcp], client.Asked.Select(a => a.Transport));
        Assert.Equal(DnsTransport.Tcp, lookup.Transport);
        Assert.Single(lookup.Records);
    }

    [Fact]
    public void No_reply_says_to_check_the_daemon()
    {
        client.Silent = true;
        var e = Assert.Throws<NetworkProblemException>(() => Dns().Resolve("lab", "web1", null, DnsTransport.Udp, TimeSpan.FromSeconds(3)));

        Assert.Equal((ErrorIds.DnsNoResponse, ProblemCategory.ResourceUnavailable, "lab"), (e.First.ErrorId, e.First.Category, e.First.Target));
        Assert.Contains("daemon serving DNS", e.First.Message);
        Assert.Contains("192.168.5.1:53", e.First.Message);
    }

    [Fact]
    public void A_reply_to_another_query_is_refused()
    {
        client.WrongId = true;
        var e = Assert.Throws<NetworkProblemException>(() => Dns().Resolve("lab", "web1", null, DnsTransport.Udp, TimeSpan.FromSeconds(2)));

        Assert.Equal(ErrorIds.DnsQueryFailed, e.First.ErrorId);
    }

    [Theory]
    [InlineData("down", ErrorIds.NotActive)]
    [InlineData("quiet", ErrorIds.DnsDisabled)]
    [InlineData("nosuch", ErrorIds.NotFound)]
    public void Networks_that_cannot_be_asked_are_errors_before_any_query(string network, string errorId)
    {
        var e = Assert.Throws<NetworkProblemException>(() => Dns().Resolve(network, "web1", null, DnsTransport.Udp, TimeSpan.FromSeconds(2)));

        Assert.Equal(errorId, e.First.ErrorId);
        Assert.Empty(client.Asked);
    }

    [Theory]
    [InlineData("web1", null, "web1", DnsType.A)]
    [InlineData("web1.lab.test.", DnsType.TXT, "web1.lab.test", DnsType.TXT)]
    [InlineData("192.168.5.10", null, "10.5.168.192.in-addr.arpa", DnsType.PTR)]
    [InlineData("2001:db8::1", null, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", DnsType.PTR)]
    [InlineData("10.1", null, "10.1", DnsType.A)]
    [InlineData("192.168.5.10", DnsType.A, "192.168.5.10", DnsType.A)]
    public void The_question_follows_what_was_typed(string name, DnsType? type, string expectedName, DnsType expectedType)
    {
        var question = DnsLookup.Question(name, type);

        Assert.Equal((expectedName, expectedType), (question.Name.ToString(), question.Type));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a..b")]
    [InlineData("white space")]
    [InlineData(".")]
    public void A_name_that_is_no_domain_name_is_an_invalid_argument(string name)
    {
        var e = Assert.Throws<NetworkProblemException>(() => DnsLookup.Question(name, null));

        Assert.Equal((ErrorIds.DnsNameInvalid, ProblemCategory.InvalidArgument), (e.First.ErrorId, e.First.Category));
    }

    [Fact]
    public void The_query_is_what_a_stub_resolver_sends()
    {
        var bytes = DnsLookup.Query(new DnsQuestion(DnsName.Parse("web1"), DnsType.AAAA), 0xBEEF);

        Assert.True(DnsMessage.TryParse(bytes, out var query, out var problem), problem);
        Assert.Equal((0xBEEF, false, true), (query.Id, query.IsResponse, query.RecursionDesired));
        Assert.Equal(DnsMessage.EdnsUdpLimit, query.Edns!.UdpPayloadSize);
        Assert.Equal(new DnsQuestion(DnsName.Parse("web1"), DnsType.AAAA), Assert.Single(query.Questions));
    }

    [Theory]
    [InlineData(DnsType.SRV, "0 0 1 .")]
    [InlineData(DnsType.MX, "10 mail.lab.test")]
    [InlineData(DnsType.TXT, "\"a\" \"b c\"")]
    public void Record_data_reads_as_dig_shows_it(DnsType type, string expected)
    {
        DnsRecordData data = type switch
        {
            DnsType.SRV => new DnsSrvData(0, 0, 1, DnsName.Root),
            DnsType.MX => new DnsMxData(10, DnsName.Parse("mail.lab.test")),
            _ => new DnsTxtData([[(byte)'a'], "b c"u8.ToArray()]),
        };

        Assert.Equal(expected, DnsRecordText.Of(data));
        Assert.Equal("TYPE65", DnsRecordText.Of((DnsType)65));
    }

    /// <summary>Answers with Core's own DNS server built for the asked network's live definition, as the daemon would.</summary>
    private sealed class ServerClient : IDnsQueryClient
    {
        public readonly List<(IPEndPoint Server, DnsTransport Transport)> Asked = [];
        public bool Silent, TruncateUdp, WrongId;

        public byte[]? Exchange(IPEndPoint server, byte[] query, DnsTransport transport, TimeSpan timeout)
        {
            Asked.Add((server, transport));
            if (Silent) return null;
            var network = NetworkXml.Parse(Lab);
            var dnsServer = new DnsServer(DnsPolicy.FromNetwork(network)!,
                DnsZone.Build(network, [DnsTestKit.Lease("192.168.5.150", "guest1", 9, DnsTestKit.T0.AddHours(1))], [], DnsTestKit.T0), new SeededRandom(1));
            var answer = Assert.IsType<DnsAnswer>(dnsServer.Handle(query, new DnsClient(transport, new IPEndPoint(IPAddress.Parse("192.168.5.1"), 5353)), DnsTestKit.T0));
            var reply = answer.Message;
            if (TruncateUdp && transport == DnsTransport.Udp)
            {
                DnsMessage.TryParse(reply, out var message, out _);
                message!.Answers.Clear();
                message.Truncated = true;
                reply = message.ToArray();
            }
            if (WrongId) DnsHeader.WriteId(reply, (ushort)(BitConverter.ToUInt16(query) + 1));
            return reply;
        }
    }
}
