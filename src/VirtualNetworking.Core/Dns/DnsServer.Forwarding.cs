using System.Buffers.Binary;
using System.Net;

namespace VirtualNetworking.Core.Dns;

public sealed partial class DnsServer
{
    /// <summary>Draws of a random id before the table counts as full: with at most 4096 queries waiting, 16 misses in a row do not happen by chance.</summary>
    private const int IdDraws = 16;

    /// <summary>A forwarded query waiting for its answer.</summary>
    private sealed class Pending(DnsMessage query, DnsClient client, byte[] forwarded, IReadOnlyList<IPEndPoint> upstreams)
    {
        public DnsMessage Query { get; } = query;
        public DnsClient Client { get; } = client;
        /// <summary>The query as sent upstream; each attempt sends a copy with its own id.</summary>
        public byte[] Forwarded { get; } = forwarded;
        public IReadOnlyList<IPEndPoint> Upstreams { get; } = upstreams;
        public int Attempt { get; set; } = -1;
        public DateTimeOffset Deadline { get; set; }
        /// <summary>Ids still accepted, each from the upstream it went to: a late answer from an earlier upstream is still welcome.</summary>
        public Dictionary<ushort, IPEndPoint> Sent { get; } = new();
        public bool Done { get; set; }
    }

    private readonly Dictionary<ushort, Pending> byId = new();
    private readonly Dictionary<(IPEndPoint, long, ushort), Pending> byClientId = new();
    private readonly HashSet<Pending> pending = new();
    /// <summary>
    /// Each attempt's deadline. Entries of answered queries and earlier attempts are left in place and skipped when
    /// they come up (a priority queue cannot remove cheaply); <see cref="Complete"/> compacts the queue when they
    /// outnumber the live ones, so that it stays bounded by the queries in flight, not by the query rate.
    /// </summary>
    private readonly PriorityQueue<(Pending Pending, int Attempt), DateTimeOffset> deadlines = new();

    /// <summary>When <see cref="Expire"/> has something to do next; null when nothing is waiting.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            while (deadlines.TryPeek(out var item, out var deadline))
            {
                if (!IsStale(item)) return deadline;
                deadlines.Dequeue();
            }
            return null;
        }
    }

    /// <summary>
    /// Matches an upstream's reply to the query in flight: the id, the upstream it was sent to (address and port)
    /// and the question must all match, or the reply is dropped as spoofed or stray. SERVFAIL and REFUSED move on to
    /// the next upstream while there is one. The answer goes to the client with its own id, truncated if it exceeds
    /// the client's limit, and is cached when it may be.
    /// </summary>
    public DnsResult HandleUpstreamReply(ReadOnlySpan<byte> reply, IPEndPoint from, DateTimeOffset now)
    {
        if (!DnsHeader.TryRead(reply, out var header) || !header.IsResponse || !byId.TryGetValue(header.Id, out var waiting))
        {
            counters.UnmatchedReplies++;
            return Drop("an upstream reply matches no query in flight");
        }
        var source = new IPEndPoint(DnsPolicy.Unmapped(from.Address), from.Port);
        if (!waiting.Sent[header.Id].Equals(source))
        {
            counters.SpoofedReplies++;
            return Drop($"a reply for a query sent to {waiting.Sent[header.Id]} came from {source}");
        }
        if (!DnsMessage.TryParse(reply, out var message, out var problem) || message.Questions is not [var question] || !question.Equals(waiting.Query.Questions[0]))
        {
            counters.SpoofedReplies++;
            return Drop($"a reply from {source} does not answer the question asked ({problem ?? "another question"})");
        }
        if (message.ResponseCode is DnsResponseCode.ServFail or DnsResponseCode.Refused && waiting.Attempt + 1 < waiting.Upstreams.Count)
        {
            waiting.Sent.Remove(header.Id);
            byId.Remove(header.Id);
            counters.Failovers++;
            return NextAttempt(waiting, now);
        }

        Complete(waiting);
        if (waiting.Query.RecursionDesired) cache.Store(DnsCache.Key.Of(waiting.Query), reply, message, now);
        counters.UpstreamAnswers++;
        return Relay(reply.ToArray(), waiting.Query, waiting.Client, message.ResponseCode, DnsAnswerSource.Upstream);
    }

    /// <summary>
    /// The queries whose upstream did not answer in time: each goes to its next upstream, or, when none is left, the
    /// client gets SERVFAIL. Call it at <see cref="NextDeadline"/>.
    /// </summary>
    public IReadOnlyList<DnsResult> Expire(DateTimeOffset now)
    {
        var results = new List<DnsResult>();
        while (deadlines.TryPeek(out var item, out var deadline) && deadline <= now)
        {
            deadlines.Dequeue();
            if (IsStale(item)) continue;
            counters.Timeouts++;
            var waiting = item.Pending;
            if (waiting.Attempt + 1 < waiting.Upstreams.Count)
            {
                counters.Failovers++;
                results.Add(NextAttempt(waiting, now));
                continue;
            }
            Complete(waiting);
            counters.ServFail++;
            results.Add(Error(waiting.Query, DnsResponseCode.ServFail, waiting.Client));
        }
        return results;
    }

    /// <summary>
    /// A name that goes upstream: from the cache when a fresh answer is there (RD queries only: the cache holds
    /// recursion's results), else forwarded. A retransmission of a query already waiting is dropped; when
    /// <see cref="DnsServerOptions.MaxForwardsInFlight"/> queries wait, new ones are refused (REFUSED, as dnsmasq),
    /// so that a flood cannot push out the queries already on their way.
    /// </summary>
    private DnsResult ForwardOrServeCached(DnsMessage query, IReadOnlyList<IPEndPoint> upstreams, DnsClient client, DateTimeOffset now)
    {
        if (query.RecursionDesired && cache.Serve(DnsCache.Key.Of(query), query.Questions[0], query.Id, now) is { } cached)
        {
            counters.AnsweredFromCache++;
            return Relay(cached, query, client, (DnsResponseCode)(cached[3] & 0xF), DnsAnswerSource.Cache);
        }
        var clientKey = (client.EndPoint, client.ConnectionId, query.Id);
        if (byClientId.TryGetValue(clientKey, out var already) && already.Query.Questions[0].Equals(query.Questions[0]))
        {
            counters.Duplicates++;
            return Drop("a retransmission of a query already forwarded");
        }
        if (pending.Count >= options.MaxForwardsInFlight)
        {
            counters.ForwardTableFull++;
            return Error(query, DnsResponseCode.Refused, client);
        }
        // Our own query: the client's question, RD, CD and AD; EDNS only if the client spoke it, with our payload size
        // and without the client's options (cookies and the like are between the client and us).
        var forwarded = new DnsMessage
        {
            RecursionDesired = query.RecursionDesired, CheckingDisabled = query.CheckingDisabled, AuthenticData = query.AuthenticData,
            Edns = query.Edns is { } edns ? new DnsEdns(DnsMessage.EdnsUdpLimit, 0, edns.DnssecOk) : null,
        };
        forwarded.Questions.Add(query.Questions[0]);
        var waiting = new Pending(query, client, forwarded.ToArray(), upstreams);
        pending.Add(waiting);
        byClientId[clientKey] = waiting;
        counters.Forwarded++;
        return NextAttempt(waiting, now);
    }

    /// <summary>Sends the query to the next upstream under a fresh id; SERVFAIL when no free id can be drawn.</summary>
    private DnsResult NextAttempt(Pending waiting, DateTimeOffset now)
    {
        if (!TryNewId(out var id))
        {
            Complete(waiting);
            counters.ForwardTableFull++;
            counters.ServFail++;
            return Error(waiting.Query, DnsResponseCode.ServFail, waiting.Client);
        }
        waiting.Attempt++;
        var upstream = waiting.Upstreams[waiting.Attempt];
        waiting.Sent[id] = upstream;
        byId[id] = waiting;
        waiting.Deadline = now + options.UpstreamTimeout;
        deadlines.Enqueue((waiting, waiting.Attempt), waiting.Deadline);
        var bytes = waiting.Forwarded.ToArray();
        DnsHeader.WriteId(bytes, id);
        return new DnsForward(bytes, upstream, waiting.Client.Transport, waiting.Client, waiting.Query.Id, waiting.Upstreams, waiting.Attempt);
    }

    /// <summary>
    /// An upstream or cached answer on its way to the client: the client's id, and TC with only the question when it
    /// exceeds what the client takes (an upstream may ignore the size we advertised; a cached answer may have come over TCP).
    /// </summary>
    private DnsAnswer Relay(byte[] reply, DnsMessage query, DnsClient client, DnsResponseCode code, DnsAnswerSource source)
    {
        if (reply.Length > DnsMessage.ResponseLimit(client.Transport, query.Edns))
        {
            // An extended code (above 15) needs an OPT record, which a client without EDNS does not get: it keeps the low bits.
            var truncated = Response(query, query.Edns is null ? (DnsResponseCode)((int)code & 0xF) : code, authoritative: false);
            truncated.Truncated = true;
            return Answer(truncated, client, query.Edns, source);
        }
        DnsHeader.WriteId(reply, query.Id);
        DnsHeader.TryRead(reply, out var header);
        return Counted(new DnsAnswer(reply, client, code, source, header.Truncated));
    }

    private void Complete(Pending waiting)
    {
        waiting.Done = true;
        pending.Remove(waiting);
        foreach (var id in waiting.Sent.Keys) byId.Remove(id);
        var clientKey = (waiting.Client.EndPoint, waiting.Client.ConnectionId, waiting.Query.Id);
        if (byClientId.TryGetValue(clientKey, out var registered) && registered == waiting) byClientId.Remove(clientKey);
        if (deadlines.Count > 2 * pending.Count + 64)
        {
            deadlines.Clear();
            foreach (var live in pending) deadlines.Enqueue((live, live.Attempt), live.Deadline);
        }
    }

    /// <summary>Deadlines queued, stale ones included: for tests of the bound.</summary>
    internal int QueuedDeadlines => deadlines.Count;

    private static bool IsStale((Pending Pending, int Attempt) item) => item.Pending.Done || item.Attempt != item.Pending.Attempt;

    private bool TryNewId(out ushort id)
    {
        Span<byte> bytes = stackalloc byte[2];
        for (var i = 0; i < IdDraws; i++)
        {
            random.Fill(bytes);
            id = BinaryPrimitives.ReadUInt16BigEndian(bytes);
            if (!byId.ContainsKey(id)) return true;
        }
        id = 0;
        return false;
    }
}
