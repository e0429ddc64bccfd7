using System.Net;
using VirtualNetworking.Core.Dns;
using static VirtualNetworking.Core.Tests.Dns.DnsTestKit;

namespace VirtualNetworking.Core.Tests.Dns;

/// <summary>Forwarded queries: ids, matching replies, failover, timeouts and the bound on queries in flight.</summary>
public class DnsForwardingTests
{
    private static readonly DnsServerOptions NoCache = new() { CacheSize = 0 };

    private static DnsServer NatServer(string inner = "", DnsServerOptions? options = null, Core.Ports.IRandomSource? random = null) =>
        Server(Network(inner), options: options ?? NoCache, random: random);

    private static void AddAddress(DnsMessage reply, string address, uint ttl = 300) =>
        reply.Answers.Add(DnsRecord.Address(reply.Questions[0].Name, ttl, Ip(address)));

    [Fact]
    public void A_query_goes_to_the_first_upstream_under_an_id_of_ours()
    {
        var server = NatServer();
        var forward = Forwarded(server, "www.Example.org", DnsType.A, id: 0x1111);
        var sent = Parse(forward.Query);
        Assert.NotEqual(0x1111, sent.Id);
        Assert.Equal(0x1111, forward.OriginalId);
        Assert.Equal(Resolver1, forward.Upstream);
        Assert.Equal([Resolver1, Resolver2], forward.Upstreams);
        Assert.Equal(0, forward.Attempt);
        Assert.Equal(DnsTransport.Udp, forward.Transport);
        Assert.Equal(UdpClient, forward.Client);
        Assert.Equal("www.Example.org", sent.Questions.Single().Name.ToString());
        Assert.True(sent.RecursionDesired);
        Assert.False(sent.IsResponse);
        Assert.Null(sent.Edns);
        Assert.Equal(DnsTransport.Tcp, Forwarded(server, "a.example.org", DnsType.A, client: TcpClient).Transport);
    }

    [Fact]
    public void Edns_is_forwarded_with_our_payload_size_and_the_do_bit_but_without_the_clients_options()
    {
        var server = NatServer();
        var query = Query("www.example.org", DnsType.A, edns: new DnsEdns(4096, 0, DnssecOk: true) { Options = [0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8] });
        var forward = Assert.IsType<DnsForward>(server.Handle(query, UdpClient, T0));
        Assert.Equal(new DnsEdns(1232, 0, DnssecOk: true), Parse(forward.Query).Edns);
    }

    [Fact]
    public void The_upstream_answer_goes_back_with_the_clients_id()
    {
        var server = NatServer();
        var forward = Forwarded(server, "www.example.org", DnsType.A, id: 0x2222);
        var answer = Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(UpstreamReply(forward, fill: r => AddAddress(r, "192.0.2.80")), Resolver1, T0));
        var message = Parse(answer.Message);
        Assert.Equal(0x2222, message.Id);
        Assert.Equal(Ip("192.0.2.80"), ((DnsAddressData)message.Answers.Single().Data).Address);
        Assert.Equal(UdpClient, answer.Client);
        Assert.Equal(DnsAnswerSource.Upstream, answer.Source);
        Assert.Equal(0, server.GetStatistics().InFlight);
        // Answered once: the same reply again matches nothing.
        Assert.IsType<DnsDrop>(server.HandleUpstreamReply(UpstreamReply(forward), Resolver1, T0));
    }

    [Fact]
    public void Names_of_a_forwarder_domain_go_to_its_server_and_port()
    {
        var server = NatServer("<dns><forwarder domain='example2.com' addr='192.168.2.1' port='1234'/></dns>");
        var forward = Forwarded(server, "host.example2.com", DnsType.A);
        var upstream = new IPEndPoint(Ip("192.168.2.1"), 1234);
        Assert.Equal([upstream], forward.Upstreams);
        Assert.IsType<DnsDrop>(server.HandleUpstreamReply(UpstreamReply(forward), new IPEndPoint(Ip("192.168.2.1"), 53), T0));
        Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(UpstreamReply(forward), upstream, T0));
    }

    [Fact]
    public void Replies_from_elsewhere_for_another_id_or_question_are_dropped_and_the_real_one_still_counts()
    {
        var server = NatServer();
        var forward = Forwarded(server, "www.example.org", DnsType.A);
        var reply = UpstreamReply(forward);

        Assert.IsType<DnsDrop>(server.HandleUpstreamReply(reply, Resolver2, T0));
        Assert.IsType<DnsDrop>(server.HandleUpstreamReply(reply, new IPEndPoint(Resolver1.Address, 5353), T0));
        var otherId = reply.ToArray();
        otherId[0] ^= 0xFF;
        Assert.IsType<DnsDrop>(server.HandleUpstreamReply(otherId, Resolver1, T0));
        var otherQuestion = Parse(reply);
        otherQuestion.Questions[0] = new DnsQuestion(N("evil.example.org"), DnsType.A);
        Assert.IsType<DnsDrop>(server.HandleUpstreamReply(otherQuestion.ToArray(), Resolver1, T0));
        Assert.IsType<DnsDrop>(server.HandleUpstreamReply(reply[..20], Resolver1, T0));
        Assert.IsType<DnsDrop>(server.HandleUpstreamReply(Parse(forward.Query).ToArray(), Resolver1, T0));   // not a response
        Assert.IsType<DnsDrop>(server.HandleUpstreamReply([1, 2, 3], Resolver1, T0));

        var stats = server.GetStatistics();
        Assert.Equal(4, stats.SpoofedReplies);
        Assert.Equal(3, stats.UnmatchedReplies);
        Assert.Equal(1, stats.InFlight);
        // The question's case does not matter; a reply from a dual-stack socket's mapped address does.
        var mapped = new IPEndPoint(Resolver1.Address.MapToIPv6(), 53);
        var lowerCase = Parse(reply);
        lowerCase.Questions[0] = new DnsQuestion(N("WWW.EXAMPLE.ORG"), DnsType.A);
        Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(lowerCase.ToArray(), mapped, T0));
    }

    [Theory]
    [InlineData(DnsResponseCode.ServFail)]
    [InlineData(DnsResponseCode.Refused)]
    public void Servfail_and_refused_move_on_to_the_next_upstream_and_the_last_ones_answer_is_relayed(DnsResponseCode failure)
    {
        var server = NatServer();
        var first = Forwarded(server, "www.example.org", DnsType.A);
        var second = Assert.IsType<DnsForward>(server.HandleUpstreamReply(UpstreamReply(first, failure), Resolver1, T0));
        Assert.Equal(Resolver2, second.Upstream);
        Assert.Equal(1, second.Attempt);
        Assert.NotEqual(Parse(first.Query).Id, Parse(second.Query).Id);
        var last = Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(UpstreamReply(second, failure), Resolver2, T0));
        Assert.Equal(failure, Parse(last.Message).ResponseCode);
        Assert.Equal(0x4242, Parse(last.Message).Id);
        Assert.Equal(1, server.GetStatistics().Failovers);
    }

    [Fact]
    public void A_timeout_moves_on_and_when_every_upstream_timed_out_the_client_gets_servfail()
    {
        var server = NatServer(options: NoCache with { UpstreamTimeout = TimeSpan.FromSeconds(2) });
        Assert.Null(server.NextDeadline);
        var first = Forwarded(server, "www.example.org", DnsType.A);
        Assert.Equal(T0.AddSeconds(2), server.NextDeadline);
        Assert.Empty(server.Expire(T0.AddSeconds(1.9)));

        var second = Assert.IsType<DnsForward>(Assert.Single(server.Expire(T0.AddSeconds(2))));
        Assert.Equal(Resolver2, second.Upstream);
        Assert.Equal(T0.AddSeconds(4), server.NextDeadline);

        var failed = Assert.IsType<DnsAnswer>(Assert.Single(server.Expire(T0.AddSeconds(4))));
        Assert.Equal(DnsResponseCode.ServFail, Parse(failed.Message).ResponseCode);
        Assert.Equal("www.example.org", Parse(failed.Message).Questions.Single().Name.ToString());
        Assert.Equal(UdpClient, failed.Client);
        Assert.Null(server.NextDeadline);
        Assert.IsType<DnsDrop>(server.HandleUpstreamReply(UpstreamReply(first), Resolver1, T0.AddSeconds(5)));
        var stats = server.GetStatistics();
        Assert.Equal((2, 1, 1, 0), (stats.Timeouts, stats.Failovers, stats.ServFail, stats.InFlight));
    }

    [Fact]
    public void A_late_answer_from_an_earlier_upstream_is_still_taken()
    {
        var server = NatServer();
        var first = Forwarded(server, "www.example.org", DnsType.A);
        Assert.IsType<DnsForward>(Assert.Single(server.Expire(T0.AddSeconds(2))));
        var answer = Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(UpstreamReply(first, fill: r => AddAddress(r, "192.0.2.1")), Resolver1, T0.AddSeconds(2.5)));
        Assert.Single(Parse(answer.Message).Answers);
        Assert.Empty(server.Expire(T0.AddSeconds(10)));
        Assert.Null(server.NextDeadline);
    }

    [Fact]
    public void A_retransmission_of_a_waiting_query_is_dropped()
    {
        var server = NatServer();
        Forwarded(server, "www.example.org", DnsType.A, id: 5);
        Assert.IsType<DnsDrop>(server.Handle(Query("www.example.org", DnsType.A, id: 5), UdpClient, T0.AddSeconds(1)));
        // The same id for another name, or from another client, is a new query.
        Forwarded(server, "other.example.org", DnsType.A, id: 5);
        Forwarded(server, "www.example.org", DnsType.A, id: 5, client: TcpClient);
        Assert.Equal(1, server.GetStatistics().Duplicates);
        Assert.Equal(3, server.GetStatistics().InFlight);
    }

    [Fact]
    public void When_the_table_is_full_new_queries_are_refused_and_waiting_ones_keep_their_place()
    {
        var server = NatServer(options: NoCache with { MaxForwardsInFlight = 2 });
        var first = Forwarded(server, "a.example.org", DnsType.A, id: 1);
        Forwarded(server, "b.example.org", DnsType.A, id: 2);
        var refused = Assert.IsType<DnsAnswer>(server.Handle(Query("c.example.org", DnsType.A, id: 3), UdpClient, T0));
        Assert.Equal(DnsResponseCode.Refused, Parse(refused.Message).ResponseCode);
        Assert.Equal(1, server.GetStatistics().ForwardTableFull);

        Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(UpstreamReply(first), Resolver1, T0));
        Forwarded(server, "c.example.org", DnsType.A, id: 3);
    }

    [Fact]
    public void Ids_that_collide_with_one_in_flight_are_never_reused()
    {
        var server = NatServer(random: new StuckRandom());
        Forwarded(server, "a.example.org", DnsType.A, id: 1);
        var failed = Assert.IsType<DnsAnswer>(server.Handle(Query("b.example.org", DnsType.A, id: 2), UdpClient, T0));
        Assert.Equal(DnsResponseCode.ServFail, Parse(failed.Message).ResponseCode);
        Assert.Equal(1, server.GetStatistics().InFlight);
    }

    [Fact]
    public void Answered_queries_do_not_pile_up_in_the_timer_queue_when_no_timer_fires()
    {
        var server = NatServer();
        var waiting = Forwarded(server, "waiting.example.org", DnsType.A, id: 1);
        for (var i = 0; i < 10_000; i++)
        {
            var forward = Forwarded(server, $"q{i}.example.org", DnsType.A, id: 2);
            Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(UpstreamReply(forward), Resolver1, T0));
        }
        Assert.InRange(server.QueuedDeadlines, 1, 2 * 1 + 64 + 1);
        Assert.Equal(T0.AddSeconds(2), server.NextDeadline);
        Assert.IsType<DnsForward>(Assert.Single(server.Expire(T0.AddSeconds(2))));
        Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(UpstreamReply(waiting), Resolver1, T0.AddSeconds(2)));
    }

    [Fact]
    public void A_non_recursive_query_is_forwarded_non_recursive()
    {
        var forward = Assert.IsType<DnsForward>(NatServer().Handle(Query("www.example.org", DnsType.A, recursionDesired: false), UdpClient, T0));
        Assert.False(Parse(forward.Query).RecursionDesired);
    }

    [Fact]
    public void An_oversized_reply_with_an_extended_code_to_a_client_without_edns_is_truncated_with_the_codes_low_bits()
    {
        var server = NatServer();
        var forward = Forwarded(server, "big.example.org", DnsType.AAAA);
        // A misbehaving upstream: EDNS the client never asked for, BADCOOKIE (23 = 16 + 7), more than 512 octets.
        var reply = Parse(UpstreamReply(forward, fill: r => { for (var i = 1; i <= 40; i++) AddAddress(r, $"2001:db8::{i:x}"); }));
        reply.Edns = new DnsEdns(4096);
        reply.ResponseCode = (DnsResponseCode)23;
        var answer = Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(reply.ToArray(), Resolver1, T0));
        Assert.True(answer.Truncated);
        Assert.Equal((DnsResponseCode)7, Parse(answer.Message).ResponseCode);
    }

    [Fact]
    public void An_upstream_answer_larger_than_the_client_takes_is_truncated()
    {
        var server = NatServer();
        var forward = Forwarded(server, "big.example.org", DnsType.AAAA);
        var reply = UpstreamReply(forward, fill: r => { for (var i = 1; i <= 40; i++) AddAddress(r, $"2001:db8::{i:x}"); });
        Assert.True(reply.Length > 512);
        var answer = Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(reply, Resolver1, T0));
        var message = Parse(answer.Message);
        Assert.True(answer.Truncated && message.Truncated);
        Assert.Empty(message.Answers);
        Assert.Equal(0x4242, message.Id);
        Assert.Equal(1, server.GetStatistics().Truncated);
    }
}
