using VirtualNetworking.Core.Dns;
using static VirtualNetworking.Core.Tests.Dns.DnsTestKit;

namespace VirtualNetworking.Core.Tests.Dns;

/// <summary>Forwarded answers are cached as dnsmasq does, bounded and with their TTLs counted down.</summary>
public class DnsCacheTests
{
    private static DnsServer CachingServer(int size = 150) => Server(Network(), options: new DnsServerOptions { CacheSize = size });

    /// <summary>Forwards a query for the name, answers it from upstream with the records <paramref name="fill"/> adds.</summary>
    private static void Resolve(DnsServer server, string name, DnsType type, Action<DnsMessage> fill, DnsResponseCode code = DnsResponseCode.NoError,
        DateTimeOffset? now = null, DnsEdns? edns = null)
    {
        var forward = Assert.IsType<DnsForward>(server.Handle(Query(name, type, edns: edns), UdpClient, now ?? T0));
        var reply = Parse(UpstreamReply(forward, code, fill));
        Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(reply.ToArray(), forward.Upstream, now ?? T0));
    }

    private static void Address(DnsMessage reply, uint ttl) => reply.Answers.Add(DnsRecord.Address(reply.Questions[0].Name, ttl, Ip("192.0.2.80")));

    private static DnsRecord Soa(uint ttl, uint minimum) =>
        DnsRecord.Soa(N("example.org"), ttl, new DnsSoaData(N("ns.example.org"), N("hostmaster.example.org"), 1, 7200, 900, 1209600, minimum));

    private static DnsAnswer? Cached(DnsServer server, string name, DnsType type, DateTimeOffset now, ushort id = 0x5151, DnsEdns? edns = null, bool recursionDesired = true) =>
        server.Handle(Query(name, type, id, recursionDesired, edns), UdpClient, now) as DnsAnswer;

    [Fact]
    public void A_cached_answer_is_served_with_the_askers_id_and_spelling_and_its_ttls_counted_down()
    {
        var server = CachingServer();
        Resolve(server, "www.example.org", DnsType.A, r =>
        {
            Address(r, 300);
            r.Authorities.Add(new DnsRecord(N("example.org"), DnsType.NS, DnsClass.IN, 600, new DnsNameData(N("ns.example.org"))));
        });

        var answer = Cached(server, "WWW.example.ORG", DnsType.A, T0.AddSeconds(100.7), id: 0x9999);
        Assert.NotNull(answer);
        Assert.Equal(DnsAnswerSource.Cache, answer.Source);
        var message = Parse(answer.Message);
        Assert.Equal(0x9999, message.Id);
        Assert.Equal("WWW.example.ORG", message.Questions.Single().Name.ToString());
        Assert.Equal(200u, message.Answers.Single().Ttl);
        Assert.Equal(500u, message.Authorities.Single().Ttl);
        Assert.Equal(1, server.GetStatistics().AnsweredFromCache);
        Assert.Equal(1, server.GetStatistics().CachedAnswers);
    }

    [Fact]
    public void An_answer_leaves_the_cache_when_its_smallest_ttl_runs_out()
    {
        var server = CachingServer();
        Resolve(server, "www.example.org", DnsType.A, r => { Address(r, 300); r.Additionals.Add(DnsRecord.Address(N("ns.example.org"), 60, Ip("192.0.2.53"))); });
        Assert.NotNull(Cached(server, "www.example.org", DnsType.A, T0.AddSeconds(59)));
        Assert.Equal(1u, Parse(Cached(server, "www.example.org", DnsType.A, T0.AddSeconds(59))!.Message).Additionals.Single().Ttl);
        Assert.IsType<DnsForward>(server.Handle(Query("www.example.org", DnsType.A), UdpClient, T0.AddSeconds(60)));
    }

    [Fact]
    public void Negative_answers_are_cached_for_the_soa_minimum_and_not_without_an_soa()
    {
        var server = CachingServer();
        Resolve(server, "gone.example.org", DnsType.A, r => r.Authorities.Add(Soa(ttl: 900, minimum: 30)), DnsResponseCode.NXDomain);
        var cached = Cached(server, "gone.example.org", DnsType.A, T0.AddSeconds(29));
        Assert.Equal(DnsResponseCode.NXDomain, cached!.ResponseCode);
        Assert.Equal(DnsAnswerSource.Cache, cached.Source);
        Assert.Equal(871u, Parse(cached.Message).Authorities.Single().Ttl);
        Assert.IsType<DnsForward>(server.Handle(Query("gone.example.org", DnsType.A), UdpClient, T0.AddSeconds(30)));

        Resolve(server, "nodata.example.org", DnsType.AAAA, r => r.Authorities.Add(Soa(ttl: 10, minimum: 3600)));
        Assert.Equal(DnsAnswerSource.Cache, Cached(server, "nodata.example.org", DnsType.AAAA, T0.AddSeconds(9))!.Source);
        Assert.IsType<DnsForward>(server.Handle(Query("nodata.example.org", DnsType.AAAA), UdpClient, T0.AddSeconds(10)));

        // No record may be served past its TTL: an additional record shorter than the SOA's MINIMUM bounds the stay.
        Resolve(server, "short.example.org", DnsType.A, r =>
        {
            r.Authorities.Add(Soa(ttl: 900, minimum: 300));
            r.Additionals.Add(DnsRecord.Address(N("ns.example.org"), 20, Ip("192.0.2.53")));
        }, DnsResponseCode.NXDomain);
        Assert.Equal(1u, Parse(Cached(server, "short.example.org", DnsType.A, T0.AddSeconds(19))!.Message).Additionals.Single().Ttl);
        Assert.IsType<DnsForward>(server.Handle(Query("short.example.org", DnsType.A), UdpClient, T0.AddSeconds(20)));

        Resolve(server, "nosoa.example.org", DnsType.A, _ => { }, DnsResponseCode.NXDomain);
        Assert.IsType<DnsForward>(server.Handle(Query("nosoa.example.org", DnsType.A), UdpClient, T0));
    }

    [Theory]
    [InlineData("servfail")]
    [InlineData("truncated")]
    [InlineData("ttl 0")]
    public void What_a_resolver_may_not_keep_is_not_cached(string what)
    {
        var server = Server(Network(), options: new DnsServerOptions { CacheSize = 150 }, random: new SeededRandom(2));
        server.UseHostResolvers([Resolver1]);
        var forward = Assert.IsType<DnsForward>(server.Handle(Query("x.example.org", DnsType.A), UdpClient, T0));
        var reply = Parse(UpstreamReply(forward, what == "servfail" ? DnsResponseCode.ServFail : DnsResponseCode.NoError, r => Address(r, what == "ttl 0" ? 0u : 300u)));
        reply.Truncated = what == "truncated";
        Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(reply.ToArray(), Resolver1, T0));
        Assert.IsType<DnsForward>(server.Handle(Query("x.example.org", DnsType.A), UdpClient, T0));
        Assert.Equal(0, server.GetStatistics().CachedAnswers);
    }

    [Fact]
    public void Non_recursive_queries_never_see_the_cache()
    {
        var server = CachingServer();
        Resolve(server, "www.example.org", DnsType.A, r => Address(r, 300));
        Assert.IsType<DnsForward>(server.Handle(Query("www.example.org", DnsType.A, recursionDesired: false), UdpClient, T0));
    }

    [Fact]
    public void Answers_to_edns_queries_serve_edns_queries_only()
    {
        var server = CachingServer();
        Resolve(server, "www.example.org", DnsType.A, r => Address(r, 300), edns: new DnsEdns(1232));
        Assert.IsType<DnsForward>(server.Handle(Query("www.example.org", DnsType.A), UdpClient, T0));
        var cached = Cached(server, "www.example.org", DnsType.A, T0, edns: new DnsEdns(4096));
        Assert.Equal(DnsAnswerSource.Cache, cached!.Source);
        Assert.NotNull(Parse(cached.Message).Edns);
        Assert.IsType<DnsForward>(server.Handle(Query("www.example.org", DnsType.A, id: 0x6000, edns: new DnsEdns(4096, 0, DnssecOk: true)), UdpClient, T0));
    }

    [Fact]
    public void The_least_recently_used_answer_goes_when_the_cache_is_full()
    {
        var server = CachingServer(size: 2);
        Resolve(server, "a.example.org", DnsType.A, r => Address(r, 300));
        Resolve(server, "b.example.org", DnsType.A, r => Address(r, 300));
        Assert.NotNull(Cached(server, "a.example.org", DnsType.A, T0));      // a is now the most recent
        Resolve(server, "c.example.org", DnsType.A, r => Address(r, 300));
        Assert.Equal(2, server.GetStatistics().CachedAnswers);
        Assert.Equal(DnsAnswerSource.Cache, Cached(server, "a.example.org", DnsType.A, T0)!.Source);
        Assert.Equal(DnsAnswerSource.Cache, Cached(server, "c.example.org", DnsType.A, T0)!.Source);
        Assert.IsType<DnsForward>(server.Handle(Query("b.example.org", DnsType.A), UdpClient, T0));
    }

    [Fact]
    public void A_cache_of_size_0_keeps_nothing()
    {
        var server = CachingServer(size: 0);
        Resolve(server, "a.example.org", DnsType.A, r => Address(r, 300));
        Assert.IsType<DnsForward>(server.Handle(Query("a.example.org", DnsType.A), UdpClient, T0));
    }

    [Fact]
    public void A_cached_answer_too_big_for_the_asker_is_truncated()
    {
        var server = CachingServer();
        var forward = Assert.IsType<DnsForward>(server.Handle(Query("big.example.org", DnsType.AAAA), TcpClient, T0));
        var reply = UpstreamReply(forward, fill: r => { for (var i = 1; i <= 40; i++) r.Answers.Add(DnsRecord.Address(r.Questions[0].Name, 300, Ip($"2001:db8::{i:x}"))); });
        Assert.IsType<DnsAnswer>(server.HandleUpstreamReply(reply, forward.Upstream, T0));

        var udp = Cached(server, "big.example.org", DnsType.AAAA, T0)!;
        Assert.True(udp.Truncated);
        Assert.Empty(Parse(udp.Message).Answers);
        var tcp = Assert.IsType<DnsAnswer>(server.Handle(Query("big.example.org", DnsType.AAAA), TcpClient, T0));
        Assert.Equal(40, Parse(tcp.Message).Answers.Count);
    }
}
