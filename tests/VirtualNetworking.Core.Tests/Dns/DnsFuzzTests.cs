using System.Net;
using VirtualNetworking.Core.Dns;
using static VirtualNetworking.Core.Tests.Dns.DnsTestKit;

namespace VirtualNetworking.Core.Tests.Dns;

/// <summary>
/// 120,000 mutated and random queries with a fixed seed through three servers, with mutated upstream replies to what
/// they forward and timer expiries in between: nothing throws, and every result is a well-formed answer within the
/// client's limit, a forward of a well-formed query, or a drop.
/// </summary>
public class DnsFuzzTests
{
    private const int Iterations = 120_000;

    private static readonly DnsEdns Edns = new(4096, 0, DnssecOk: true);

    private static readonly byte[][] Seeds =
    [
        Query("web", DnsType.A), Query("web.vm.test", DnsType.AAAA, edns: Edns), Query("10.122.168.192.in-addr.arpa", DnsType.PTR),
        Query("info", DnsType.TXT), Query("_http._tcp.vm.test", DnsType.SRV, edns: new DnsEdns(512)), Query("web", DnsType.ANY),
        Query("www.example.org", DnsType.A), Query("www.example.org", DnsType.MX, edns: Edns), Query("nothere.vm.test", DnsType.A),
        Query("plain", DnsType.A, recursionDesired: false), Query("version.bind", DnsType.TXT), Query("many", DnsType.AAAA),
        Cat(Header(flags: 4 << 11), W("vm.test"), U16(6), U16(1)),
        Cat(Header(an: 1), W("a.example.org"), U16(1), U16(1), Pointer(12), U16(5), U16(1), U32(60), U16(2), Pointer(14)),
        Cat(Header(ar: 1), W("web"), U16(1), U16(1), [0], U16(41), U16(1232), U32(0x00018000), U16(4), U16(10), U16(0)),
    ];

    [Fact]
    public void Mutated_queries_and_replies_never_throw_and_always_give_a_valid_result()
    {
        var random = new Random(20260111);
        var servers = new[]
        {
            Server(Network("<domain name='vm.test'/><dns><host ip='fd00::10'><hostname>web</hostname></host><txt name='info' value='a,b'/>" +
                           "<srv service='http' protocol='tcp' target='web.vm.test' port='80'/>" +
                           string.Concat(Enumerable.Range(1, 40).Select(n => $"<host ip='fd00::1:{n:x}'><hostname>many</hostname></host>")) + "</dns>"),
                [Lease("192.168.122.10", "web", 1, T0.AddDays(1))], new DnsServerOptions { MaxForwardsInFlight = 40, CacheSize = 20 }, new SeededRandom(1)),
            Server(Network("<domain name='vm.test' localOnly='yes'/><dns forwardPlainNames='no'/>", forward: ""), options: null, random: new SeededRandom(2)),
            Server(Network("<dns><forwarder domain='example.org' addr='192.0.2.53' port='5353'/><forwarder addr='8.8.8.8'/></dns>"),
                options: new DnsServerOptions { MaxForwardsInFlight = 5, UpstreamTimeout = TimeSpan.FromSeconds(1) }, random: new SeededRandom(3)),
        };
        var clients = new[] { UdpClient, TcpClient, new DnsClient(DnsTransport.Udp, new IPEndPoint(IPAddress.Parse("fd00::50"), 5000)) };
        var now = T0;
        var tally = new Dictionary<string, int> { ["answer"] = 0, ["forward"] = 0, ["drop"] = 0, ["relayed"] = 0 };

        for (var i = 0; i < Iterations; i++)
        {
            var seed = Seeds[random.Next(Seeds.Length)];
            var query = (i % 10) switch
            {
                < 2 => RandomBytes(random),
                < 5 => WithId(seed, random),
                _ => Mutate(seed, random),
            };
            var server = servers[i % servers.Length];
            var client = clients[random.Next(clients.Length)];
            now = now.AddMilliseconds(random.Next(0, 300));

            var result = server.Handle(query, client, now);
            tally[Check(result, query, client, i)]++;

            if (result is DnsForward forward && random.Next(3) > 0)
            {
                var reply = UpstreamReply(forward, (DnsResponseCode)random.Next(6), r =>
                {
                    if (r.ResponseCode == DnsResponseCode.NoError) r.Answers.Add(DnsRecord.Address(r.Questions[0].Name, (uint)random.Next(0, 600), Ip("192.0.2.1")));
                });
                var from = random.Next(10) == 0 ? Resolver2 : forward.Upstream;
                var relayed = server.HandleUpstreamReply(random.Next(4) == 0 ? Mutate(reply, random) : reply, from, now);
                if (Check(relayed, query, forward.Client, i) == "answer") tally["relayed"]++;
            }
            if (i % 50 == 0)
                foreach (var expired in server.Expire(now)) Check(expired, null, null, i);
        }

        // The mix reaches every path: local answers, truncation, forwards, cache, relays, timeouts and drops.
        var stats = servers.Select(s => s.GetStatistics()).ToList();
        Assert.True(tally["answer"] > 50_000, $"only {tally["answer"]} answers");
        Assert.True(tally["forward"] > 5_000, $"only {tally["forward"]} forwards");
        Assert.True(tally["drop"] > 5_000, $"only {tally["drop"]} drops");
        Assert.True(tally["relayed"] > 2_000, $"only {tally["relayed"]} relayed answers");
        Assert.True(stats.Sum(s => s.AnsweredLocally) > 5_000 && stats.Sum(s => s.Truncated) > 100 && stats.Sum(s => s.AnsweredFromCache) > 1_000 &&
                    stats.Sum(s => s.Timeouts) > 1_000, string.Join(" | ", stats));
        Assert.Equal(Iterations, servers.Sum(s => s.GetStatistics().Queries));
    }

    /// <summary>Checks one result against the query it answers; <paramref name="query"/> is null for timer results.</summary>
    private static string Check(DnsResult result, byte[]? query, DnsClient? client, int iteration)
    {
        switch (result)
        {
            case DnsAnswer answer:
                Assert.True(DnsMessage.TryParse(answer.Message, out var response, out var problem), $"iteration {iteration}: answer does not parse: {problem}");
                Assert.True(response.IsResponse, $"iteration {iteration}: answer without QR");
                Assert.Equal(answer.ResponseCode, response.ResponseCode);
                if (client is not null) Assert.Equal(client, answer.Client);
                if (query is not null)
                {
                    Assert.True(DnsHeader.TryRead(query, out var header));
                    Assert.Equal(header.Id, response.Id);
                    var edns = DnsMessage.TryParse(query, out var parsed, out _) ? parsed.Edns : null;
                    Assert.True(answer.Message.Length <= DnsMessage.ResponseLimit(answer.Client.Transport, edns), $"iteration {iteration}: answer over the client's limit");
                }
                return "answer";
            case DnsForward forward:
                Assert.True(DnsMessage.TryParse(forward.Query, out var sent, out problem), $"iteration {iteration}: forwarded query does not parse: {problem}");
                Assert.False(sent.IsResponse);
                Assert.Single(sent.Questions);
                Assert.Contains(forward.Upstream, forward.Upstreams);
                Assert.Equal(forward.Client.Transport, forward.Transport);
                if (query is not null) Assert.Equal(DnsHeader.TryRead(query, out var h) ? h.Id : -1, forward.OriginalId);
                return "forward";
            case DnsDrop drop:
                Assert.False(string.IsNullOrEmpty(drop.Reason));
                return "drop";
            default:
                Assert.Fail($"iteration {iteration}: unexpected result {result}");
                return "";
        }
    }

    private static byte[] WithId(byte[] seed, Random random)
    {
        var bytes = seed.ToArray();
        DnsHeader.WriteId(bytes, (ushort)random.Next(65536));
        return bytes;
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 600)];
        random.NextBytes(bytes);
        // Half of them look like a query with one question, so that the name and record readers see the noise.
        if (bytes.Length >= 12 && random.Next(2) == 0) { bytes[2] &= 0x07; bytes[4] = 0; bytes[5] = 1; }
        return bytes;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 2: bytes.RemoveRange(at, Math.Min(random.Next(1, 10), bytes.Count - at)); break;
                case 3: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256))); break;
                case 4: bytes[at] = (byte)(0xC0 | random.Next(4)); break;                 // a compression pointer to somewhere near the start
                case 5: if (bytes.Count > 11) bytes[4 + 2 * random.Next(4) + 1] = (byte)random.Next(4); break;   // counts
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }
}
