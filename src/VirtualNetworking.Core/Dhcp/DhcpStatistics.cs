namespace VirtualNetworking.Core.Dhcp;

/// <summary>Counters of one scope since the server object was created, plus the current lease count.</summary>
public sealed record DhcpStatistics(
    long Discovers,
    long Offers,
    long Requests,
    long Acks,
    long Naks,
    long Releases,
    long Declines,
    long Informs,
    long Dropped,
    long PoolExhausted,
    int ActiveLeases);

/// <summary>The mutable counters behind <see cref="DhcpStatistics"/>.</summary>
internal sealed class DhcpCounters
{
    public long Discovers, Offers, Requests, Acks, Naks, Releases, Declines, Informs, Dropped, PoolExhausted;

    public DhcpStatistics Snapshot(int activeLeases) =>
        new(Discovers, Offers, Requests, Acks, Naks, Releases, Declines, Informs, Dropped, PoolExhausted, activeLeases);
}
