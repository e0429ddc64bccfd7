namespace VirtualNetworking.Daemon;

/// <summary>When a DHCP worker (either protocol) next removes expired leases and, when anything happened, logs its counters.</summary>
internal static class Housekeeping
{
    /// <summary>How often, at most, a worker's housekeeping runs.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    /// <summary>
    /// The soonest housekeeping runs again after a run: an ending lease is removed (and its DNS name with it) within
    /// this of its end, yet thousands of leases ending one after another cost one pass a second, not one each.
    /// </summary>
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>Schedules <paramref name="run"/> at the next lease end (<paramref name="next"/>; null: none ends), within the bounds.</summary>
    public static LoopTimer ScheduleNext(EventLoop loop, DateTimeOffset? next, DateTimeOffset now, Action run)
    {
        var wait = next is { } end ? end - now : Interval;
        return loop.Schedule(wait < MinInterval ? MinInterval : wait > Interval ? Interval : wait, run);
    }
}
