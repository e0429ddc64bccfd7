using System.Diagnostics;
using VirtualNetworking.Core.Dhcp6;
using static VirtualNetworking.Core.Tests.Dhcp6.Dhcp6TestKit;

namespace VirtualNetworking.Core.Tests.Dhcp6;

/// <summary>
/// 120,000 seeded random, mutated and option-spliced datagrams through the codec and two servers: nothing throws, nothing
/// hangs, garbage is never answered, and every reply parses, echoes the transaction id and fits a datagram.
/// </summary>
public class Dhcp6FuzzTests
{
    private const int Iterations = 120_000;
    private static readonly TimeSpan SlowestAllowed = TimeSpan.FromSeconds(1);

    private static readonly byte[][] Seeds =
    [
        .. new[]
        {
            Solicit(Client(1)),
            Solicit(Client(2), 3, Dhcp6Option.RapidCommit()),
            WithServer(Dhcp6MessageType.Request, Client(1), 1, "fd00:5::150"),
            WithServer(Dhcp6MessageType.Renew, Client(1), 1, "fd00:5::150"),
            WithServer(Dhcp6MessageType.Release, Client(1), 1, "fd00:5::150"),
            WithServer(Dhcp6MessageType.Decline, Client(1), 1, "fd00:5::150"),
            Message(Dhcp6MessageType.Rebind, Client(1), [Ia(1, "fd00:5::150")]),
            Message(Dhcp6MessageType.Confirm, Client(1), [Ia(1, "fd00:5::150"), Ia(2, "2001:db8::1")]),
            Message(Dhcp6MessageType.InformationRequest, Client(1), []),
            Message(Dhcp6MessageType.Request, Client(4), [Ia(1), Ia(2), new Dhcp6Option(Dhcp6OptionCode.ClientFqdn, [0, 4, .. "host"u8.ToArray()])], ServerDuid),
        }.Select(m => m.ToArray()),
        .. Dhcp6CapturedMessages.All,
    ];

    [Fact]
    public async Task Garbage_never_throws_hangs_or_gets_an_oversized_or_unparsable_reply()
    {
        var (replies, dropped) = await Task.Run(Fuzz).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(replies > 10_000, $"only {replies} replies: mutations should often stay valid");
        Assert.True(dropped > 10_000, $"only {dropped} drops");
    }

    private static (int Replies, int Dropped) Fuzz()
    {
        var random = new Random(20261203);
        var servers = new[]
        {
            new Dhcp6Server(Scope() with { Reservations = [new(Client(1), "r", Ip("fd00:5::7")), new(null, "host", Ip("fd00:5::8"))] }),
            new Dhcp6Server(Scope("fd00:5::100", "fd00:5::103") with { RapidCommit = true, LeaseTime = null, DnsServers = [] }),
        };
        var now = T0;
        int replies = 0, dropped = 0;
        var slowest = TimeSpan.Zero;
        var watch = new Stopwatch();
        for (var i = 0; i < Iterations; i++)
        {
            var datagram = (i % 5) switch
            {
                0 => RandomBytes(random),
                1 => Splice(Seeds[random.Next(Seeds.Length)], random),
                _ => Mutate(Seeds[random.Next(Seeds.Length)], random),
            };
            var server = servers[i % 2];
            now = now.AddSeconds(random.Next(0, 30));
            var info = random.Next(4) == 0 ? Unicast : Multicast;

            watch.Restart();
            var parsed = Dhcp6Message.TryParse(datagram, out var message, out var problem);
            var result = server.Handle(datagram, info, now);
            if (i % 1000 == 0) server.RemoveExpired(now);
            watch.Stop();
            if (watch.Elapsed > slowest) slowest = watch.Elapsed;

            Assert.True(parsed ^ problem is not null, $"iteration {i}: parse result and problem disagree");
            if (!parsed) Assert.True(result.Reply is null, $"iteration {i}: garbage was answered ({result.Summary})");
            if (result.Reply is not { } reply) { dropped++; continue; }
            replies++;
            var bytes = reply.ToArray();
            Assert.True(bytes.Length <= Dhcp6Message.MaximumLength, $"iteration {i}: a {bytes.Length}-byte reply");
            Assert.True(Dhcp6Message.TryParse(bytes, out var echoed, out var replyProblem), $"iteration {i}: reply does not parse: {replyProblem}");
            Assert.Equal(message!.TransactionId, echoed.TransactionId);
            Assert.Equal(server.Scope.ServerId, echoed.ServerId);
        }
        Assert.True(slowest < SlowestAllowed, $"one datagram took {slowest}");
        return (replies, dropped);
    }

    private static byte[] RandomBytes(Random random)
    {
        // Now and then longer than any datagram, to reach the length check.
        var bytes = new byte[random.Next(50) == 0 ? random.Next(65_000, 66_000) : random.Next(0, 600)];
        random.NextBytes(bytes);
        // Most get a client message type so the option parser, not just the header check, sees the noise.
        if (bytes.Length > 0 && random.Next(4) > 0) bytes[0] = (byte)random.Next(1, 12);
        return bytes;
    }

    /// <summary>A seed with random well-framed options inserted between its own: the decoders, not the framing, get the noise.</summary>
    private static byte[] Splice(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var data = new byte[random.Next(0, 40)];
            random.NextBytes(data);
            ushort[] interesting = [1, 2, 3, 5, 6, 7, 8, 13, 14, 23, 24, 39, 4, 25, (ushort)random.Next(65536)];
            var code = interesting[random.Next(interesting.Length)];
            var option = new List<byte> { (byte)(code >> 8), (byte)code, (byte)(data.Length >> 8), (byte)data.Length };
            option.AddRange(data);
            bytes.InsertRange(4, option);
        }
        return [.. bytes];
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 2: bytes.RemoveRange(at, Math.Min(random.Next(1, 20), bytes.Count - at)); break;
                case 3: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 8)).Select(_ => (byte)random.Next(256))); break;
                case 4: bytes[at] = random.Next(2) == 0 ? (byte)0 : (byte)255; break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }
        return [.. bytes];
    }
}
