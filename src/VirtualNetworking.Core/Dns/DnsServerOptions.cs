namespace VirtualNetworking.Core.Dns;

/// <summary>Tunables of a <see cref="DnsServer"/>; the defaults are dnsmasq's as libvirt runs it.</summary>
public sealed record DnsServerOptions
{
    /// <summary>The environment variable (read by vnetd and the module) that sets <see cref="LocalTtl"/>.</summary>
    public const string LocalTtlVariable = "VNET_DNS_LOCAL_TTL";

    /// <summary>TTL of local answers (dnsmasq's local-ttl, 0 by default: names follow leases, so nobody should keep them).</summary>
    public uint LocalTtl { get; init; }

    /// <summary>Reads a local TTL in seconds (0 to 2^31-1, RFC 2181 §8); empty or null is the default, 0.</summary>
    public static bool TryParseLocalTtl(string? text, out uint seconds)
    {
        seconds = 0;
        if (string.IsNullOrEmpty(text)) return true;
        return uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seconds)
               && seconds <= int.MaxValue;
    }
    /// <summary>How long one upstream has to answer before the next is tried.</summary>
    public TimeSpan UpstreamTimeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Forwarded queries waiting for an answer at once (dnsmasq's dns-forward-max); more are refused.</summary>
    public int MaxForwardsInFlight { get; init; } = 150;
    /// <summary>Forwarded answers kept (dnsmasq's cache-size); 0 turns the cache off.</summary>
    public int CacheSize { get; init; } = 150;

    internal void Validate()
    {
        if (LocalTtl > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(LocalTtl), LocalTtl, "A TTL is at most 2^31-1 seconds (RFC 2181 §8).");
        if (UpstreamTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(UpstreamTimeout), UpstreamTimeout, "The upstream timeout must be positive.");
        if (MaxForwardsInFlight is < 1 or > 4096)
            throw new ArgumentOutOfRangeException(nameof(MaxForwardsInFlight), MaxForwardsInFlight, "Between 1 and 4096 forwarded queries may wait at once (ids are 16 bits).");
        if (CacheSize < 0) throw new ArgumentOutOfRangeException(nameof(CacheSize), CacheSize, "The cache size cannot be negative.");
    }
}

/// <summary>Counters of one network's DNS server since it was created, plus what it holds now.</summary>
public sealed record DnsStatistics(
    long Queries,
    long AnsweredLocally,
    long AnsweredFromCache,
    long Forwarded,
    long UpstreamAnswers,
    long NxDomain,
    long Refused,
    long NotImplemented,
    long Malformed,
    long Dropped,
    long Truncated,
    long Duplicates,
    long ForwardTableFull,
    long Failovers,
    long Timeouts,
    long ServFail,
    long SpoofedReplies,
    long UnmatchedReplies,
    int InFlight,
    int CachedAnswers);

/// <summary>The mutable counters behind <see cref="DnsStatistics"/>.</summary>
internal sealed class DnsCounters
{
    public long Queries, AnsweredLocally, AnsweredFromCache, Forwarded, UpstreamAnswers, NxDomain, Refused, NotImplemented, Malformed, Dropped,
        Truncated, Duplicates, ForwardTableFull, Failovers, Timeouts, ServFail, SpoofedReplies, UnmatchedReplies;

    public DnsStatistics Snapshot(int inFlight, int cachedAnswers) =>
        new(Queries, AnsweredLocally, AnsweredFromCache, Forwarded, UpstreamAnswers, NxDomain, Refused, NotImplemented, Malformed, Dropped,
            Truncated, Duplicates, ForwardTableFull, Failovers, Timeouts, ServFail, SpoofedReplies, UnmatchedReplies, inFlight, cachedAnswers);
}
