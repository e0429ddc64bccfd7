using System.Net;
using VirtualNetworking.Core.Ndp;
using VirtualNetworking.Core.Tests.Dns;
using static VirtualNetworking.Core.Tests.Ndp.NdpTestKit;

namespace VirtualNetworking.Core.Tests.Ndp;

/// <summary>
/// When RAs go out (RFC 4861 §6.2.4–§6.2.6). ScriptedRandom sets each draw: the advertiser draws the next unsolicited
/// interval after every multicast RA (min + draw ms) and a delay for each solicitation it schedules (draw ms).
/// </summary>
public class RouterAdvertiserTests
{
    private static readonly RouterAdvertisementPolicy Policy =
        RouterAdvertisementPolicy.FromNetwork(Network("<ip family='ipv6' address='fd00:1::1' prefix='64'/>"))!;
    private static readonly byte[] Advertisement = Policy.Advertisement.ToArray();

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    /// <summary>An advertiser started at T0 whose first three RAs (T0, +16 s, +32 s) have gone; the next is due at +482 s.</summary>
    private static RouterAdvertiser PastInitialBurst(params ulong[] laterDraws)
    {
        var advertiser = new RouterAdvertiser(Policy, new ScriptedRandom([0, 0, 0, .. laterDraws]));
        advertiser.Start(T0);
        advertiser.Tick(T0 + S(16));
        advertiser.Tick(T0 + S(32));
        return advertiser;
    }

    private static void AssertSent(IReadOnlyList<RouterAdvertisementSend> sends, RouterAdvertisementReason reason)
    {
        var send = Assert.Single(sends);
        Assert.Equal(reason, send.Reason);
        Assert.Equal(IPAddress.Parse("ff02::1"), send.Destination);
        Assert.Equal(reason == RouterAdvertisementReason.Final ? [0, 0] : RouterLifetimeOf(Advertisement), RouterLifetimeOf(send.Message));
    }

    [Fact]
    public void Start_sends_at_once_then_the_first_three_ras_come_16_seconds_apart()
    {
        var advertiser = new RouterAdvertiser(Policy, new ScriptedRandom(150_000, 150_000, 150_000));
        Assert.Null(advertiser.NextWakeUp);

        var first = advertiser.Start(T0);

        AssertSent(first, RouterAdvertisementReason.Initial);
        Assert.Equal(Advertisement, first[0].Message);
        Assert.Equal(T0 + S(16), advertiser.NextWakeUp);
        Assert.Empty(advertiser.Tick(T0 + S(16) - TimeSpan.FromMilliseconds(1)));
        AssertSent(advertiser.Tick(T0 + S(16)), RouterAdvertisementReason.Initial);
        Assert.Equal(T0 + S(32), advertiser.NextWakeUp);
        AssertSent(advertiser.Tick(T0 + S(32)), RouterAdvertisementReason.Initial);
        // The third draw is used in full: 450 s + 150 s, MaxRtrAdvInterval.
        Assert.Equal(T0 + S(32 + 600), advertiser.NextWakeUp);
        AssertSent(advertiser.Tick(T0 + S(632)), RouterAdvertisementReason.Periodic);
    }

    [Fact]
    public void Periodic_ras_come_between_min_and_max_interval()
    {
        var advertiser = new RouterAdvertiser(Policy, new SeededRandom(6204));
        var sends = new List<DateTimeOffset>();
        advertiser.Start(T0);
        sends.Add(T0);
        while (sends.Count < 500)
        {
            var at = advertiser.NextWakeUp!.Value;
            Assert.NotEmpty(advertiser.Tick(at));
            sends.Add(at);
        }
        var gaps = sends.Zip(sends.Skip(1), (a, b) => b - a).ToList();
        Assert.Equal([S(16), S(16)], gaps.Take(2));
        Assert.All(gaps.Skip(2), gap => Assert.InRange(gap, S(450), S(600)));
        // Spread over the whole interval, not stuck at one end.
        Assert.True(gaps.Skip(2).Min() < S(460) && gaps.Skip(2).Max() > S(590), $"{gaps.Skip(2).Min()} to {gaps.Skip(2).Max()}");
    }

    [Fact]
    public void A_solicitation_is_answered_after_a_random_delay_by_multicast_and_restarts_the_periodic_timer()
    {
        var advertiser = PastInitialBurst(250, 7);
        var heard = T0 + S(100);

        Assert.Empty(advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 255, heard));

        Assert.Equal(heard + TimeSpan.FromMilliseconds(250), advertiser.NextWakeUp);
        Assert.Empty(advertiser.Tick(heard + TimeSpan.FromMilliseconds(249)));
        AssertSent(advertiser.Tick(heard + TimeSpan.FromMilliseconds(250)), RouterAdvertisementReason.Solicited);
        Assert.Equal(heard + TimeSpan.FromMilliseconds(250) + S(450) + TimeSpan.FromMilliseconds(7), advertiser.NextWakeUp);
    }

    [Fact]
    public void The_delay_never_exceeds_max_ra_delay_time()
    {
        var advertiser = PastInitialBurst(ulong.MaxValue);
        var heard = T0 + S(100);
        advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 255, heard);
        Assert.InRange(advertiser.NextWakeUp!.Value, heard, heard + TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void A_solicitation_with_zero_delay_long_after_the_last_ra_is_answered_at_once()
    {
        var advertiser = PastInitialBurst(0, 0);
        AssertSent(advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 255, T0 + S(100)), RouterAdvertisementReason.Solicited);
    }

    [Fact]
    public void Multicast_ras_are_at_least_3_seconds_apart_however_many_solicitations_come()
    {
        var advertiser = PastInitialBurst(0, 0, 100, 0);
        var first = T0 + S(100);
        AssertSent(advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 255, first), RouterAdvertisementReason.Solicited);

        // One second later: scheduled 3 s after the last RA plus the delay, and later ones join it.
        Assert.Empty(advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 255, first + S(1)));
        var due = first + S(3) + TimeSpan.FromMilliseconds(100);
        Assert.Equal(due, advertiser.NextWakeUp);
        for (var ms = 1100; ms < 3100; ms += 100)
            Assert.Empty(advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 255, first + TimeSpan.FromMilliseconds(ms)));
        Assert.Equal(due, advertiser.NextWakeUp);
        Assert.Empty(advertiser.Tick(due - TimeSpan.FromMilliseconds(1)));
        AssertSent(advertiser.Tick(due), RouterAdvertisementReason.Solicited);
    }

    [Fact]
    public void A_solicitation_is_not_answered_separately_when_the_next_unsolicited_ra_comes_first()
    {
        var advertiser = new RouterAdvertiser(Policy, new ScriptedRandom(0, 400));
        advertiser.Start(T0);

        Assert.Empty(advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 255, T0 + S(15.8)));

        Assert.Equal(T0 + S(16), advertiser.NextWakeUp);
        AssertSent(advertiser.Tick(T0 + S(16)), RouterAdvertisementReason.Initial);
    }

    [Fact]
    public void Invalid_solicitations_are_ignored()
    {
        var advertiser = PastInitialBurst(0, 0);
        var before = advertiser.NextWakeUp;
        Assert.Empty(advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 64, T0 + S(100)));
        Assert.Empty(advertiser.HandleSolicitation(Solicitation, IPAddress.IPv6Any, 255, T0 + S(100)));
        Assert.Empty(advertiser.HandleSolicitation(Hex("85 00 0000"), GuestLinkLocal, 255, T0 + S(100)));
        Assert.Equal(before, advertiser.NextWakeUp);
    }

    [Fact]
    public void A_solicitation_from_the_unspecified_address_is_answered_too()
    {
        var advertiser = PastInitialBurst(0, 0);
        AssertSent(advertiser.HandleSolicitation(Hex("85 00 0000 00000000"), IPAddress.IPv6Any, 255, T0 + S(100)), RouterAdvertisementReason.Solicited);
    }

    [Fact]
    public void Stop_sends_a_final_ra_with_router_lifetime_zero_and_nothing_after()
    {
        var advertiser = PastInitialBurst(300);
        advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 255, T0 + S(100));

        var final = advertiser.Stop(T0 + S(100));

        AssertSent(final, RouterAdvertisementReason.Final);
        Assert.Equal(0, RouterLifetime(final[0].Message));
        // Only the router lifetime differs: the prefixes stay, so hosts keep their addresses.
        Assert.Equal([.. Advertisement[..6], 0, 0, .. Advertisement[8..]], final[0].Message);
        Assert.Null(advertiser.NextWakeUp);
        Assert.Empty(advertiser.Tick(T0 + S(1000)));
        Assert.Empty(advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 255, T0 + S(1000)));
        Assert.Empty(advertiser.Stop(T0 + S(1000)));
    }

    [Fact]
    public void Nothing_is_sent_before_start_and_start_twice_sends_once()
    {
        var advertiser = new RouterAdvertiser(Policy, new ScriptedRandom());
        Assert.Empty(advertiser.Tick(T0));
        Assert.Empty(advertiser.HandleSolicitation(Solicitation, GuestLinkLocal, 255, T0));
        Assert.Empty(advertiser.Stop(T0));
        Assert.Single(advertiser.Start(T0));
        Assert.Empty(advertiser.Start(T0 + S(1)));
        Assert.Equal(T0 + S(16), advertiser.NextWakeUp);
    }

    [Fact]
    public void A_host_that_writes_into_a_sent_message_does_not_change_the_next_one()
    {
        var advertiser = new RouterAdvertiser(Policy, new ScriptedRandom());
        advertiser.Start(T0)[0].Message[2] = 0xff;
        Assert.Equal(Advertisement, advertiser.Tick(T0 + S(16))[0].Message);
    }

    [Theory]
    [InlineData(4, 4)]
    [InlineData(450, 1801)]
    [InlineData(2, 600)]
    [InlineData(451, 600)]
    public void Intervals_outside_rfc_4861_are_refused(int min, int max) =>
        Assert.Throws<ArgumentException>(() => new RouterAdvertiser(Policy with { MinInterval = S(min), MaxInterval = S(max) }, new ScriptedRandom()));
}
