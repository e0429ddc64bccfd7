using System.Net;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Dns;

/// <summary>
/// The DNS server of one network as a pure state machine: no sockets, files or clock. The host passes each query
/// with the time and acts on the result: send an answer, send a forwarded query upstream, or nothing. Upstream replies
/// and timer expiries come back through <see cref="HandleUpstreamReply"/> and <see cref="Expire"/>. Never throws on
/// input. Not thread-safe: one host thread calls it.
/// </summary>
public sealed partial class DnsServer
{
    private readonly DnsServerOptions options;
    private readonly DnsCounters counters = new();
    private readonly DnsCache cache;
    private readonly IRandomSource random;

    /// <param name="policy">From <see cref="DnsPolicy.FromNetwork"/>: a network without one has no DNS server.</param>
    /// <param name="zone">From <see cref="DnsZone.Build"/>; replace it with <see cref="Zone"/> when leases change.</param>
    /// <param name="random">Ids of forwarded queries come from it (unpredictable ids make spoofed replies harder).</param>
    public DnsServer(DnsPolicy policy, DnsZone zone, IRandomSource random, DnsServerOptions? options = null)
    {
        this.options = options ?? new DnsServerOptions();
        this.options.Validate();
        Policy = policy;
        Zone = zone;
        this.random = random;
        cache = new DnsCache(this.options.CacheSize);
    }

    public DnsPolicy Policy { get; }

    /// <summary>The local records; the host sets a freshly built zone whenever leases or host entries change.</summary>
    public DnsZone Zone { get; set; }

    /// <summary>The host's resolvers (resolv.conf nameservers) in use, without the network's own addresses.</summary>
    public IReadOnlyList<IPEndPoint> HostResolvers { get; private set; } = [];

    /// <summary>Sets the upstreams used when the definition names no &lt;forwarder addr&gt;; the network's own addresses are skipped.</summary>
    public void UseHostResolvers(IEnumerable<IPEndPoint> resolvers) => HostResolvers = Policy.WithoutOwnAddresses(resolvers);

    public DnsStatistics GetStatistics() => counters.Snapshot(pending.Count, cache.Count);

    /// <summary>
    /// Decides one query. Garbage without a readable header and responses are dropped; a header with a body that does
    /// not parse gets FORMERR; opcodes other than QUERY, classes other than IN and zone transfers get NOTIMP; EDNS
    /// versions above 0 get BADVERS. Local names are answered (with the RD bit echoed, TTL <see cref="DnsServerOptions.LocalTtl"/>);
    /// other names follow <see cref="DnsPolicy.Route"/>.
    /// </summary>
    public DnsResult Handle(ReadOnlySpan<byte> query, DnsClient client, DateTimeOffset now)
    {
        counters.Queries++;
        if (!DnsHeader.TryRead(query, out var header))
        {
            counters.Malformed++;
            return Drop($"{query.Length} octets is shorter than a DNS header");
        }
        if (header.IsResponse) return Drop("a response arrived where queries do");
        if (!DnsMessage.TryParse(query, out var message, out _))
        {
            counters.Malformed++;
            return Answer(HeaderOnlyError(header, DnsResponseCode.FormErr), client, null, DnsAnswerSource.Server);
        }
        if (message.Opcode != DnsOpcode.Query) return Error(message, DnsResponseCode.NotImp, client);
        if (message.Questions.Count != 1 || message.Answers.Count > 0 || message.Authorities.Count > 0 || message.Questions[0].Type == DnsType.OPT)
        {
            counters.Malformed++;
            return Error(message, DnsResponseCode.FormErr, client);
        }
        if (message.Edns is { Version: > 0 }) return Error(message, DnsResponseCode.BadVers, client);
        var question = message.Questions[0];
        if (question.Class != DnsClass.IN || IsUnsupportedMetaType(question.Type)) return Error(message, DnsResponseCode.NotImp, client);

        var local = Zone.Find(question.Name);
        if (local.Count > 0) return LocalAnswer(message, local, client);
        var route = Policy.Route(question.Name, HostResolvers);
        return route.Kind switch
        {
            DnsRouteKind.Local => LocalNegative(message, client),
            DnsRouteKind.Forward => ForwardOrServeCached(message, route.Upstreams, client, now),
            _ => Error(message, DnsResponseCode.Refused, client),
        };
    }

    /// <summary>Zone transfers and the other meta types (RFC 6895 §3.1: 128–254) are not served; ANY (255) is.</summary>
    private static bool IsUnsupportedMetaType(DnsType type) => type is DnsType.AXFR or DnsType.IXFR || ((ushort)type is >= 128 and < 255);

    /// <summary>
    /// A name the network holds is answered here for every type: records of the type, else NODATA (never forwarded:
    /// upstream cannot know our guests, and its NXDOMAIN would deny a name that exists). ANY gets RFC 8482's subset:
    /// the name's addresses, else its first RRset. SRV targets we hold come with their addresses.
    /// </summary>
    private DnsAnswer LocalAnswer(DnsMessage query, IReadOnlyList<DnsZoneRecord> local, DnsClient client)
    {
        var question = query.Questions[0];
        var response = Response(query, DnsResponseCode.NoError, authoritative: true);
        var any = question.Type == DnsType.ANY;
        var anyAddresses = any && local.Any(IsAddress);
        foreach (var record in local)
        {
            var wanted = !any ? record.Type == question.Type : anyAddresses ? IsAddress(record) : record.Type == local[0].Type;
            if (wanted) response.Answers.Add(new DnsRecord(question.Name, record.Type, DnsClass.IN, options.LocalTtl, record.Data));
        }
        if (question.Type is DnsType.SRV or DnsType.ANY)
            foreach (var target in response.Answers.Select(a => a.Data).OfType<DnsSrvData>().Select(s => s.Target).Distinct())
                foreach (var address in Zone.Find(target).Where(IsAddress))
                    response.Additionals.Add(new DnsRecord(target, address.Type, DnsClass.IN, options.LocalTtl, address.Data));
        counters.AnsweredLocally++;
        return Answer(response, client, query.Edns, DnsAnswerSource.Local);
    }

    /// <summary>A name kept local that the network does not hold: NXDOMAIN, or NODATA when names exist below it (RFC 8020).</summary>
    private DnsAnswer LocalNegative(DnsMessage query, DnsClient client)
    {
        var code = Zone.HasNamesBelow(query.Questions[0].Name) ? DnsResponseCode.NoError : DnsResponseCode.NXDomain;
        counters.AnsweredLocally++;
        return Answer(Response(query, code, authoritative: true), client, query.Edns, DnsAnswerSource.Local);
    }

    private static bool IsAddress(DnsZoneRecord record) => record.Type is DnsType.A or DnsType.AAAA;

    /// <summary>
    /// A response to <paramref name="query"/>: its id, opcode, RD and CD, its question, and an OPT record of ours when it
    /// sent one (the DO bit copied, RFC 3225 §3). RA says whether this network recurses at all.
    /// </summary>
    private DnsMessage Response(DnsMessage query, DnsResponseCode code, bool authoritative)
    {
        var response = new DnsMessage
        {
            Id = query.Id, IsResponse = true, Opcode = query.Opcode, Authoritative = authoritative, RecursionDesired = query.RecursionDesired,
            RecursionAvailable = Policy.Forwards, CheckingDisabled = query.CheckingDisabled, ResponseCode = code,
            Edns = query.Edns is { } edns ? new DnsEdns(DnsMessage.EdnsUdpLimit, 0, edns.DnssecOk) : null,
        };
        response.Questions.AddRange(query.Questions);
        return response;
    }

    /// <summary>An answer to a header whose body could not be read: no question, no OPT, only the id, opcode and RD echoed.</summary>
    private DnsMessage HeaderOnlyError(DnsHeader header, DnsResponseCode code) => new()
    {
        Id = header.Id, IsResponse = true, Opcode = header.Opcode, RecursionDesired = header.RecursionDesired,
        RecursionAvailable = Policy.Forwards, ResponseCode = code,
    };

    private DnsAnswer Error(DnsMessage query, DnsResponseCode code, DnsClient client) =>
        Answer(Response(query, code, authoritative: false), client, query.Edns, DnsAnswerSource.Server);

    /// <summary>Writes a response within the client's limit and counts it.</summary>
    private DnsAnswer Answer(DnsMessage response, DnsClient client, DnsEdns? clientEdns, DnsAnswerSource source)
    {
        var bytes = response.ToArray(DnsMessage.ResponseLimit(client.Transport, clientEdns), out var truncated);
        return Counted(new DnsAnswer(bytes, client, response.ResponseCode, source, truncated || response.Truncated));
    }

    private DnsAnswer Counted(DnsAnswer answer)
    {
        if (answer.Truncated) counters.Truncated++;
        switch (answer.ResponseCode)
        {
            case DnsResponseCode.NXDomain: counters.NxDomain++; break;
            case DnsResponseCode.Refused when answer.Source == DnsAnswerSource.Server: counters.Refused++; break;
            case DnsResponseCode.NotImp when answer.Source == DnsAnswerSource.Server: counters.NotImplemented++; break;
        }
        return answer;
    }

    private DnsDrop Drop(string reason)
    {
        counters.Dropped++;
        return new DnsDrop(reason);
    }
}
