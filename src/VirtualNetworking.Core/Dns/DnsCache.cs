using System.Buffers.Binary;

namespace VirtualNetworking.Core.Dns;

/// <summary>
/// Forwarded answers, kept as the upstream sent them and served with the TTLs counted down (RFC 1035 §4.1.3,
/// RFC 2308 §5). Bounded: the least recently used answer goes first. Only what a resolver may keep is kept: complete
/// (no TC) NOERROR answers for their smallest TTL, and NXDOMAIN/NODATA for min(SOA TTL, SOA MINIMUM) when the
/// upstream sent its SOA (RFC 2308 §5: without one a negative answer is not cached).
/// </summary>
internal sealed class DnsCache(int capacity)
{
    /// <summary>What makes two questions share an answer; the EDNS, DO and CD flags change what an upstream returns.</summary>
    public readonly record struct Key(DnsName Name, DnsType Type, DnsClass Class, bool Edns, bool DnssecOk, bool CheckingDisabled)
    {
        public static Key Of(DnsMessage query) => new(query.Questions[0].Name, query.Questions[0].Type, query.Questions[0].Class,
            query.Edns is not null, query.Edns?.DnssecOk == true, query.CheckingDisabled);
    }

    private sealed record Entry(Key Key, byte[] Reply, int[] TtlOffsets, uint[] Ttls, DateTimeOffset Stored, DateTimeOffset Expires);

    private readonly LinkedList<Entry> recency = new();
    private readonly Dictionary<Key, LinkedListNode<Entry>> entries = new();

    public int Count => entries.Count;

    /// <summary>Keeps <paramref name="reply"/> (which parsed as <paramref name="parsed"/>) when it is cacheable.</summary>
    public void Store(Key key, ReadOnlySpan<byte> reply, DnsMessage parsed, DateTimeOffset now)
    {
        var ttl = CacheableTtl(parsed);
        if (capacity == 0 || parsed.Truncated || ttl == 0) return;
        if (entries.TryGetValue(key, out var old)) Remove(old);
        else if (entries.Count >= capacity) Remove(recency.Last!);
        var bytes = reply.ToArray();
        var offsets = TtlOffsets(bytes);
        var ttls = offsets.Select(at => BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at))).ToArray();
        entries[key] = recency.AddFirst(new Entry(key, bytes, offsets, ttls, now, now.AddSeconds(ttl)));
    }

    /// <summary>
    /// A fresh copy of the cached answer for <paramref name="question"/> with the client's id and spelling of the name
    /// and the TTLs reduced by the time spent in the cache; null when there is none or it expired.
    /// </summary>
    public byte[]? Serve(Key key, DnsQuestion question, ushort id, DateTimeOffset now)
    {
        if (!entries.TryGetValue(key, out var node)) return null;
        var entry = node.Value;
        if (now >= entry.Expires) { Remove(node); return null; }
        recency.Remove(node);
        recency.AddFirst(node);
        var bytes = entry.Reply.ToArray();
        DnsHeader.WriteId(bytes, id);
        // The question is the first name after the header, never compressed, and equal but for case: same length.
        question.Name.Wire.CopyTo(bytes.AsSpan(DnsHeader.Length));
        var elapsed = now > entry.Stored ? (uint)(now - entry.Stored).TotalSeconds : 0;
        for (var i = 0; i < entry.TtlOffsets.Length; i++)
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(entry.TtlOffsets[i]), entry.Ttls[i] - elapsed);
        return bytes;
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        entries.Remove(node.Value.Key);
        recency.Remove(node);
    }

    /// <summary>
    /// Seconds the reply may be kept, 0 when it may not: no longer than any of its records lives (their TTLs are
    /// counted down), and a negative answer no longer than its SOA's MINIMUM either.
    /// </summary>
    private static uint CacheableTtl(DnsMessage reply)
    {
        var shortest = reply.Answers.Concat(reply.Authorities).Concat(reply.Additionals).Select(r => r.EffectiveTtl).DefaultIfEmpty(0u).Min();
        if (reply.ResponseCode == DnsResponseCode.NoError && reply.Answers.Count > 0) return shortest;
        if (reply.ResponseCode is not (DnsResponseCode.NoError or DnsResponseCode.NXDomain)) return 0;
        return reply.Authorities.Select(r => r.Data).OfType<DnsSoaData>().FirstOrDefault() is { } soa ? Math.Min(shortest, soa.Minimum) : 0;
    }

    /// <summary>Where the TTL of every record but OPT sits in a message that already parsed.</summary>
    private static int[] TtlOffsets(byte[] message)
    {
        DnsHeader.TryRead(message, out var header);
        var at = DnsHeader.Length;
        for (var i = 0; i < header.QuestionCount; i++) at = SkipName(message, at) + 4;
        var offsets = new List<int>();
        for (var i = 0; i < header.AnswerCount + header.AuthorityCount + header.AdditionalCount; i++)
        {
            at = SkipName(message, at);
            if ((DnsType)BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at)) != DnsType.OPT) offsets.Add(at + 4);
            at += 10 + BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(at + 8));
        }
        return [.. offsets];
    }

    private static int SkipName(byte[] message, int at)
    {
        while (true)
        {
            var b = message[at];
            if (b == 0) return at + 1;
            if ((b & 0xC0) == 0xC0) return at + 2;
            at += b + 1;
        }
    }
}
