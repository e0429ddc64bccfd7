using System.Buffers.Binary;
using System.Net;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Core.Ndp;

/// <summary>
/// When one bridge sends RAs (RFC 4861 §6.2.4–§6.2.6), as a pure state machine: no sockets, no clock. The host calls
/// <see cref="Start"/>, passes each ICMPv6 message from the bridge to <see cref="HandleSolicitation"/>,
/// calls <see cref="Tick"/> at <see cref="NextWakeUp"/>, and <see cref="Stop"/> when the network stops; each returns
/// the RAs to send at once. Every RA goes to all-nodes (ff02::1): a solicitation is answered by multicast, the RFC's
/// usual case, so one answer serves every solicitor and the rate limit bounds what a flood of solicitations costs.
/// Not thread-safe: one host thread calls it.
/// </summary>
public sealed class RouterAdvertiser
{
    /// <summary>RFC 4861 §10: the first RAs come at most this far apart.</summary>
    public static readonly TimeSpan MaxInitialRtrAdvertInterval = TimeSpan.FromSeconds(16);
    public const int MaxInitialRtrAdvertisements = 3;
    /// <summary>RFC 4861 §10: a solicited RA is delayed by a random time up to this.</summary>
    public static readonly TimeSpan MaxRaDelayTime = TimeSpan.FromMilliseconds(500);
    /// <summary>RFC 4861 §10: multicast RAs are never closer together than this.</summary>
    public static readonly TimeSpan MinDelayBetweenRas = TimeSpan.FromSeconds(3);
    public static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    private readonly IRandomSource random;
    private readonly byte[] advertisement;
    private readonly byte[] final;
    private bool running;
    private int sent;
    private DateTimeOffset? lastMulticast;
    private DateTimeOffset? nextUnsolicited;
    private DateTimeOffset? solicitedAt;

    /// <param name="random">Draws the intervals and delays (RFC 4861 wants them random so routers do not synchronise).</param>
    public RouterAdvertiser(RouterAdvertisementPolicy policy, IRandomSource random)
    {
        // RFC 4861 §6.2.1: MaxRtrAdvInterval 4–1800 s, MinRtrAdvInterval 3 s to 0.75 × MaxRtrAdvInterval.
        if (policy.MaxInterval < TimeSpan.FromSeconds(4) || policy.MaxInterval > TimeSpan.FromSeconds(1800))
            throw new ArgumentException($"MaxRtrAdvInterval {policy.MaxInterval} is outside 4 to 1800 seconds.", nameof(policy));
        if (policy.MinInterval < TimeSpan.FromSeconds(3) || policy.MinInterval > policy.MaxInterval * 3 / 4)
            throw new ArgumentException($"MinRtrAdvInterval {policy.MinInterval} is outside 3 seconds to 3/4 of {policy.MaxInterval}.", nameof(policy));
        Policy = policy;
        this.random = random;
        advertisement = policy.Advertisement.ToArray();
        final = (policy.Advertisement with { RouterLifetime = 0 }).ToArray();
    }

    public RouterAdvertisementPolicy Policy { get; }

    /// <summary>When the host must call <see cref="Tick"/> next; null when stopped.</summary>
    public DateTimeOffset? NextWakeUp => !running ? null : solicitedAt is { } s && s < nextUnsolicited ? s : nextUnsolicited;

    /// <summary>The bridge starts advertising: the first RA goes now, the next ones by <see cref="Tick"/>.</summary>
    public IReadOnlyList<RouterAdvertisementSend> Start(DateTimeOffset now)
    {
        if (running) return [];
        running = true;
        sent = 0;
        return [Multicast(now, RouterAdvertisementReason.Initial)];
    }

    /// <summary>Sends what is due: a delayed answer to solicitations, or the next unsolicited RA.</summary>
    public IReadOnlyList<RouterAdvertisementSend> Tick(DateTimeOffset now)
    {
        if (!running) return [];
        if (solicitedAt <= now) return [Multicast(now, RouterAdvertisementReason.Solicited)];
        if (nextUnsolicited <= now)
            return [Multicast(now, sent < MaxInitialRtrAdvertisements ? RouterAdvertisementReason.Initial : RouterAdvertisementReason.Periodic)];
        return [];
    }

    /// <summary>
    /// Validates one ICMPv6 message that arrived on the bridge (<see cref="RouterSolicitation.TryParse"/>: an invalid
    /// solicitation is ignored, as RFC 4861 §6.1.1 says) and schedules the answer as §6.2.6 suggests: after a random
    /// delay up to <see cref="MaxRaDelayTime"/>, counted from <see cref="MinDelayBetweenRas"/> after the last multicast RA
    /// if that was sooner; not at all when the next unsolicited RA comes first; and once for any number of solicitations
    /// meanwhile. Returns the RA when it is due at once, else nothing (<see cref="NextWakeUp"/> tells when). Never throws.
    /// </summary>
    /// <param name="hopLimit">The hop limit the packet arrived with (IPV6_RECVHOPLIMIT).</param>
    public IReadOnlyList<RouterAdvertisementSend> HandleSolicitation(ReadOnlySpan<byte> message, IPAddress source, int hopLimit, DateTimeOffset now)
    {
        if (!running || solicitedAt is not null || !RouterSolicitation.TryParse(message, source, hopLimit, out _, out _)) return [];
        var delay = Uniform(TimeSpan.Zero, MaxRaDelayTime);
        var at = lastMulticast is { } last && now - last < MinDelayBetweenRas ? last + MinDelayBetweenRas + delay : now + delay;
        if (nextUnsolicited <= at) return [];
        solicitedAt = at;
        return Tick(now);
    }

    /// <summary>The bridge stops advertising: one last RA with router lifetime 0 so hosts drop this default router at once.</summary>
    public IReadOnlyList<RouterAdvertisementSend> Stop(DateTimeOffset now)
    {
        if (!running) return [];
        running = false;
        solicitedAt = nextUnsolicited = null;
        return [new RouterAdvertisementSend(AllNodes, final.ToArray(), RouterAdvertisementReason.Final)];
    }

    /// <summary>
    /// RFC 4861 §6.2.4: every multicast RA restarts the unsolicited timer; the first few come sooner. Each send gets its
    /// own copy of the message, so a host that fills in the checksum in place cannot change the next one.
    /// </summary>
    private RouterAdvertisementSend Multicast(DateTimeOffset now, RouterAdvertisementReason reason)
    {
        sent++;
        lastMulticast = now;
        solicitedAt = null;
        var interval = Uniform(Policy.MinInterval, Policy.MaxInterval);
        if (sent < MaxInitialRtrAdvertisements && interval > MaxInitialRtrAdvertInterval) interval = MaxInitialRtrAdvertInterval;
        nextUnsolicited = now + interval;
        return new RouterAdvertisementSend(AllNodes, advertisement.ToArray(), reason);
    }

    /// <summary>A time from <paramref name="min"/> to <paramref name="max"/> inclusive, in whole milliseconds.</summary>
    private TimeSpan Uniform(TimeSpan min, TimeSpan max)
    {
        Span<byte> bytes = stackalloc byte[8];
        random.Fill(bytes);
        var span = (ulong)(max - min).TotalMilliseconds + 1;
        return min + TimeSpan.FromMilliseconds(BinaryPrimitives.ReadUInt64LittleEndian(bytes) % span);
    }
}
