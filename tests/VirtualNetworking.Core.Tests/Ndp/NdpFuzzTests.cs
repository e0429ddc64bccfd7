using System.Diagnostics;
using System.Net;
using VirtualNetworking.Core.Ndp;
using VirtualNetworking.Core.Tests.Dns;
using static VirtualNetworking.Core.Tests.Ndp.NdpTestKit;

namespace VirtualNetworking.Core.Tests.Ndp;

/// <summary>
/// 120,000 mutated and random ICMPv6 messages with a fixed seed through the solicitation parser and an advertiser that
/// a simulated host ticks on time: nothing throws or hangs, only valid solicitations are answered, every RA is the
/// policy's to ff02::1, multicast RAs stay 3 s apart, and a valid solicitation always gets an RA within 3.5 s.
/// </summary>
public class NdpFuzzTests
{
    private const int Iterations = 120_000;
    private static readonly TimeSpan SlowestAllowed = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan AnswerWithin = RouterAdvertiser.MinDelayBetweenRas + RouterAdvertiser.MaxRaDelayTime;
    private static readonly IPAddress[] Sources = [GuestLinkLocal, IPAddress.IPv6Any, IPAddress.Parse("fd00:1::50"), IPAddress.Parse("192.0.2.1")];

    private static readonly byte[][] Seeds =
    [
        Solicitation,
        Hex("85 00 0000 00000000"),
        Hex("85 00 1234 00000000 0e 02 0000000000000000000000000000 01 01 525400abcdef"),
        Hex("85 00 0000 00000000 01 01 525400000001 01 01 525400000002"),
        Hex("85 00 0000 00000000 01 02 0011223344556677 00000000 0000"),
    ];

    [Fact]
    public async Task Garbage_never_throws_hangs_or_breaks_the_schedule()
    {
        var (parsed, answered) = await Task.Run(Fuzz).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(parsed > 15_000, $"only {parsed} valid solicitations: mutations should often stay valid");
        Assert.True(answered > 10_000, $"only {answered} solicited RAs");
    }

    private static (int Parsed, int Answered) Fuzz()
    {
        var random = new Random(20261203);
        var policy = RouterAdvertisementPolicy.FromNetwork(Network("<mtu size='9000'/><ip family='ipv6' address='fd00:1::1' prefix='64'/>"))!;
        var advertisement = policy.Advertisement.ToArray();
        var advertiser = new RouterAdvertiser(policy, new SeededRandom(4861));
        var now = T0;
        DateTimeOffset? lastMulticast = null, answerBy = null;
        int parsed = 0, answered = 0;
        var slowest = TimeSpan.Zero;
        var watch = new Stopwatch();

        void Sent(IReadOnlyList<RouterAdvertisementSend> sends, DateTimeOffset at, int iteration)
        {
            foreach (var send in sends)
            {
                Assert.Equal(RouterAdvertiser.AllNodes, send.Destination);
                if (send.Reason == RouterAdvertisementReason.Final)
                {
                    Assert.Equal([.. advertisement[..6], 0, 0, .. advertisement[8..]], send.Message);
                    continue;
                }
                Assert.Equal(advertisement, send.Message);
                Assert.True(lastMulticast is null || at - lastMulticast >= RouterAdvertiser.MinDelayBetweenRas,
                    $"iteration {iteration}: RAs at {lastMulticast:O} and {at:O}");
                Assert.True(answerBy is null || at <= answerBy, $"iteration {iteration}: a solicitation waited past {answerBy:O}");
                if (send.Reason == RouterAdvertisementReason.Solicited) answered++;
                lastMulticast = at;
                answerBy = null;
            }
        }

        Sent(advertiser.Start(now), now, -1);
        for (var i = 0; i < Iterations; i++)
        {
            now += TimeSpan.FromMilliseconds(random.Next(0, 2000));
            // The host wakes when told to.
            while (advertiser.NextWakeUp is { } wake && wake <= now) Sent(advertiser.Tick(wake), wake, i);
            if (i % 20_000 == 19_999)
            {
                Sent(advertiser.Stop(now), now, i);
                (lastMulticast, answerBy) = (null, null);
                Sent(advertiser.Start(now), now, i);
            }

            var message = (i % 8) switch
            {
                < 2 => RandomBytes(random),
                2 => Seeds[random.Next(Seeds.Length)],
                _ => Mutate(Seeds[random.Next(Seeds.Length)], random),
            };
            var source = Sources[random.Next(8) switch { < 5 => 0, 5 => 1, 6 => 2, _ => 3 }];
            var hopLimit = random.Next(10) == 0 ? random.Next(256) : 255;

            watch.Restart();
            var valid = RouterSolicitation.TryParse(message, source, hopLimit, out var solicitation, out var problem);
            var sends = advertiser.HandleSolicitation(message, source, hopLimit, now);
            watch.Stop();
            if (watch.Elapsed > slowest) slowest = watch.Elapsed;

            Assert.True(valid ^ problem is not null, $"iteration {i}: parsed {valid} with problem '{problem}'");
            if (!valid)
            {
                Assert.Empty(sends);
                continue;
            }
            parsed++;
            Assert.Equal(source, solicitation!.Source);
            if (solicitation.SourceLinkLayerAddress is { } linkLayer) Assert.Equal(0, (linkLayer.Length + 2) % 8);
            answerBy ??= now + AnswerWithin;
            Sent(sends, now, i);
            Assert.True(answerBy is null || advertiser.NextWakeUp <= answerBy, $"iteration {i}: next wake-up {advertiser.NextWakeUp:O} is after {answerBy:O}");
        }
        Assert.True(slowest < SlowestAllowed, $"one message took {slowest}");
        return (parsed, answered);
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        // Half of them look like a solicitation so the option walk, not just the header check, sees the noise.
        if (bytes.Length >= 2 && random.Next(2) == 0) { bytes[0] = RouterSolicitation.Type; bytes[1] = 0; }
        return bytes;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            // Mostly hit the options, where the parser has the most to get wrong.
            if (random.Next(3) > 0 && bytes.Count > 9) at = random.Next(8, bytes.Count);
            switch (random.Next(7))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 2: bytes.RemoveRange(at, Math.Min(random.Next(1, 16), bytes.Count - at)); break;
                case 3: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 8) * (random.Next(2) == 0 ? 1 : 8)).Select(_ => (byte)random.Next(256))); break;
                case 4: bytes[at] = random.Next(2) == 0 ? (byte)0 : (byte)255; break;
                case 5: bytes.AddRange([(byte)random.Next(256), (byte)random.Next(0, 3), .. new byte[random.Next(0, 2) * 6 + random.Next(0, 9)]]); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }
}
