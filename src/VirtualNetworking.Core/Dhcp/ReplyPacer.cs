namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// Spaces a server's replies: one per <see cref="Spacing"/> on average, in runs of at most <see cref="Burst"/>
/// back to back. A group commit releases a whole batch of ACKs at once, and hundreds of them sent back to back
/// overflow the socket buffer of a client that is busy sending (perfdhcp lost about 1 % of its exchanges at
/// 6,400/s that way; paced, none up to 8,000/s). Pure: the caller supplies the clock and does the waiting.
/// </summary>
public sealed class ReplyPacer
{
    private TimeSpan _drained; // when the replies sent so far will have drained at the paced rate

    public ReplyPacer(TimeSpan spacing, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(spacing, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        Spacing = spacing;
        Burst = burst;
    }

    public TimeSpan Spacing { get; }
    public int Burst { get; }

    /// <summary>
    /// Call before each reply with a monotonic clock; returns how long to wait first (zero: send now). A wait
    /// lasts until the whole run is available again, so a sender sleeps once per run, not once per reply.
    /// </summary>
    public TimeSpan BeforeSend(TimeSpan now)
    {
        var drained = _drained < now ? now : _drained;
        _drained = drained + Spacing;
        return drained - now > Spacing * (Burst - 1) ? drained - now : TimeSpan.Zero;
    }
}
