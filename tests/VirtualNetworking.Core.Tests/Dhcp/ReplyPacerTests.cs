using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Core.Tests.Dhcp;

public class ReplyPacerTests
{
    private static readonly TimeSpan Spacing = TimeSpan.FromMicroseconds(25);

    /// <summary>Sends <paramref name="count"/> replies queued at time zero, sleeping as told; returns when each left.</summary>
    private static List<TimeSpan> SendQueued(ReplyPacer pacer, int count, TimeSpan start)
    {
        var now = start;
        var sent = new List<TimeSpan>();
        for (var i = 0; i < count; i++)
        {
            now += pacer.BeforeSend(now);
            sent.Add(now);
        }
        return sent;
    }

    [Fact]
    public void ABatch_LeavesInRunsOfBurst_AtTheAverageRate()
    {
        var sent = SendQueued(new ReplyPacer(Spacing, burst: 8), 800, TimeSpan.Zero);

        // The first run at once, then one sleep per run of 8.
        Assert.All(sent.Take(8), t => Assert.Equal(TimeSpan.Zero, t));
        Assert.Equal(100, sent.Distinct().Count());
        Assert.All(sent.GroupBy(t => t), run => Assert.Equal(8, run.Count()));
        // 800 replies take 800 spacings, less the first run's: 40,000 per second.
        Assert.Equal(Spacing * 792, sent[^1]);
        // No window of one millisecond holds more than its 40 replies plus one run.
        Assert.All(sent, t => Assert.True(sent.Count(u => u >= t && u < t + TimeSpan.FromMilliseconds(1)) <= 40 + 8));
    }

    [Fact]
    public void RepliesSlowerThanTheRate_NeverWait()
    {
        var pacer = new ReplyPacer(Spacing, burst: 8);
        for (var i = 0; i < 1000; i++)
            Assert.Equal(TimeSpan.Zero, pacer.BeforeSend(TimeSpan.FromMicroseconds(100 * i)));
    }

    [Fact]
    public void AfterAQuietSpell_AWholeRunLeavesAtOnceAgain()
    {
        var pacer = new ReplyPacer(Spacing, burst: 4);
        SendQueued(pacer, 40, TimeSpan.Zero);

        var later = SendQueued(pacer, 4, TimeSpan.FromSeconds(1));
        Assert.All(later, t => Assert.Equal(TimeSpan.FromSeconds(1), t));
    }

    [Fact]
    public void BurstOfOne_SpacesEveryReply()
    {
        var sent = SendQueued(new ReplyPacer(Spacing, burst: 1), 5, TimeSpan.Zero);
        Assert.Equal([TimeSpan.Zero, Spacing, Spacing * 2, Spacing * 3, Spacing * 4], sent);
    }

    [Fact]
    public void NonsenseSettings_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplyPacer(TimeSpan.Zero, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplyPacer(Spacing, 0));
    }
}
