using System.Diagnostics;
using VirtualNetworking.Core.Dhcp;
using static VirtualNetworking.Core.Tests.Dhcp.DhcpTestKit;

namespace VirtualNetworking.Core.Tests.Dhcp;

/// <summary>
/// 120,000 mutated and random datagrams with a fixed seed through the codec and two servers: nothing
/// throws, nothing hangs, and nothing that fails to parse or lacks a message type is answered.
/// </summary>
public class DhcpFuzzTests
{
    private const int Iterations = 120_000;
    private static readonly TimeSpan SlowestAllowed = TimeSpan.FromSeconds(1);

    private static readonly byte[][] Seeds =
    [
        DhcpCapturedPackets.Rfc2131Discover, DhcpCapturedPackets.Rfc2131Request, DhcpCapturedPackets.UdhcpcDiscover,
        DhcpCapturedPackets.DhclientDiscover, DhcpCapturedPackets.DhclientInitRebootRequest,
    ];

    [Fact]
    public async Task Garbage_never_throws_hangs_or_gets_a_reply()
    {
        var (replies, dropped) = await Task.Run(Fuzz).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(replies > 1000, $"only {replies} replies: mutations should often stay valid");
        Assert.True(dropped > 10_000, $"only {dropped} drops");
    }

    private static (int Replies, long Dropped) Fuzz()
    {
        var random = new Random(20261128);
        var servers = new[]
        {
            new DhcpServer(Scope("192.168.122.100", "192.168.122.140") with { Reservations = [new(Mac(1), "r", Ip("192.168.122.7"))] }),
            new DhcpServer(Scope() with { Authoritative = false, LeaseTime = null, Router = null }),
        };
        var now = T0;
        var replies = 0;
        var slowest = TimeSpan.Zero;
        var watch = new Stopwatch();
        for (var i = 0; i < Iterations; i++)
        {
            var datagram = i % 4 == 0 ? RandomBytes(random) : Mutate(Seeds[random.Next(Seeds.Length)], random);
            var server = servers[i % 2];
            now = now.AddSeconds(random.Next(0, 3));
            var info = random.Next(2) == 0 ? Broadcast : Unicast;

            watch.Restart();
            var parsed = DhcpPacket.TryParse(datagram, out var packet, out var problem);
            var result = server.Handle(datagram, info, now);
            if (i % 1000 == 0) server.RemoveExpired(now);
            watch.Stop();
            if (watch.Elapsed > slowest) slowest = watch.Elapsed;

            Assert.True(parsed || problem is not null);
            if (!parsed || packet!.MessageType is null)
                Assert.True(result.Reply is null, $"iteration {i}: garbage was answered ({result.Summary})");
            if (result.Reply is { } reply)
            {
                replies++;
                Assert.True(DhcpPacket.TryParse(reply.ToArray(), out var echoed, out _), $"iteration {i}: reply does not parse");
                Assert.Equal(packet!.TransactionId, echoed.TransactionId);
            }
        }
        Assert.True(slowest < SlowestAllowed, $"one datagram took {slowest}");
        return (replies, servers.Sum(s => s.GetStatistics(now).Dropped));
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 700)];
        random.NextBytes(bytes);
        // Half of them get a valid cookie so the option parser, not just the header check, sees the noise.
        if (bytes.Length >= 240 && random.Next(2) == 0) { bytes[0] = 1; bytes[236] = 0x63; bytes[237] = 0x82; bytes[238] = 0x53; bytes[239] = 0x63; }
        return bytes;
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        var mutations = random.Next(1, 6);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            // Mostly hit the options, where the parser has the most to get wrong.
            if (random.Next(3) > 0 && bytes.Count > 241) at = random.Next(240, bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 2: bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at)); break;
                case 3: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256))); break;
                case 4: bytes[at] = random.Next(2) == 0 ? (byte)0 : (byte)255; break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }
}
