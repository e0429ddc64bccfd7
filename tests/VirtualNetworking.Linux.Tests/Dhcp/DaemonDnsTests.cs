using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Dhcp;
using VirtualNetworking.Linux.Dhcp;

namespace VirtualNetworking.Linux.Tests.Dhcp;

/// <summary>
/// vnetd's DNS side in the test namespace: what happens when port 53 is taken, and a seeded fuzz of malformed and random
/// queries. Queries come from the test namespace itself to the bridge's address (delivered as if from the bridge).
/// The networks here are isolated: nothing is ever forwarded anywhere.
/// </summary>
public sealed class DaemonDnsTests : NetworkTest
{
    [SkippableFact]
    public void Port_53_held_by_another_process_fails_the_serve_naming_it_and_serves_nothing()
    {
        using var bed = new DaemonTestBed();
        var bridge = NewName("br");
        bed.CreateBridge(bridge, "10.231.20.1/24");
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        holder.Bind(new IPEndPoint(IPAddress.Parse("10.231.20.1"), 53));

        var error = Assert.Throws<DhcpDaemonException>(() => bed.Service.Serve(DaemonTestBed.Network("dns1", bridge, "10.231.20", extra: "")));

        Assert.Equal(DhcpControlMessage.DnsPortInUseReason, error.Reason);
        var comm = File.ReadAllText("/proc/self/comm").Trim();
        Assert.Contains($"{comm} (pid {Environment.ProcessId})", error.DaemonMessage, StringComparison.Ordinal);
        Assert.Contains("10.231.20.1", error.DaemonMessage, StringComparison.Ordinal);
        // All or nothing: the network's DHCP was not left behind either.
        Assert.Empty(bed.Service.GetStatus());
    }

    [SkippableFact]
    public void A_fuzz_of_100000_malformed_and_random_queries_neither_crashes_nor_stalls_the_server()
    {
        using var bed = new DaemonTestBed();
        var bridge = NewName("br");
        bed.CreateBridge(bridge, "10.231.21.1/24");
        bed.Service.Serve(DaemonTestBed.Network("dns2", bridge, "10.231.21", extra: "<domain name='fuzz.test'/>"));
        var daemon = bed.DaemonPid();
        var server = new IPEndPoint(IPAddress.Parse("10.231.21.1"), 53);
        using var fuzz = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 2000 };
        var random = new Random(20261203);
        const int Total = 100_000, Batch = 100;
        var probes = 0;
        var slowest = TimeSpan.Zero;

        for (var sent = 0; sent < Total;)
        {
            for (var i = 0; i < Batch; i++, sent++) fuzz.SendTo(FuzzQuery(random), server);
            // A real query after every batch: the server keeps answering, and the batch has been read before the next.
            slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, Probe(probe, server, (ushort)++probes).Ticks));
        }

        Assert.True(slowest < TimeSpan.FromSeconds(1), $"The slowest answer during the fuzz took {slowest.TotalMilliseconds} ms.\n{bed.Log()}");
        Assert.True(Probe(probe, server, 0xffff) < TimeSpan.FromMilliseconds(200));
        Assert.Equal(daemon, bed.DaemonPid());
        var dns = Assert.Single(bed.Service.GetStatus()).Dns!;
        // Every datagram reached the server (none lost to a full socket buffer), so all of them were really tried.
        Assert.Equal(Total + probes + 1, dns.Queries);
        Assert.True(dns.Malformed > Total / 4, $"{dns.Malformed} malformed");
    }

    [SkippableFact]
    public void At_most_20_tcp_clients_are_held_per_network_and_the_one_idle_longest_makes_room()
    {
        using var bed = new DaemonTestBed();
        var bridge = NewName("br");
        bed.CreateBridge(bridge, "10.231.22.1/24");
        bed.Service.Serve(DaemonTestBed.Network("dns3", bridge, "10.231.22", extra: "<domain name='fuzz.test'/>"));
        var server = new IPEndPoint(IPAddress.Parse("10.231.22.1"), 53);
        var clients = new List<Socket>();
        try
        {
            for (var i = 0; i < 21; i++)
            {
                var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 2000 };
                client.Connect(server);
                clients.Add(client);
                // Each one asks once, so the first is the one idle longest when the 21st arrives.
                Assert.Equal(new byte[] { 10, 231, 22, 1 }, AskOverTcp(client, (ushort)i)[^4..]);
                Thread.Sleep(20);
            }
            // The first connection was closed by the server (end of stream); the second and the newest still answer.
            var buffer = new byte[16];
            Assert.Equal(0, clients[0].Receive(buffer));
            Assert.Equal(new byte[] { 10, 231, 22, 1 }, AskOverTcp(clients[1], 100)[^4..]);
            Assert.Equal(new byte[] { 10, 231, 22, 1 }, AskOverTcp(clients[20], 101)[^4..]);
        }
        finally
        {
            foreach (var client in clients) client.Dispose();
        }
    }

    private static byte[] AskOverTcp(Socket socket, ushort id)
    {
        var query = Query(id, "_gateway.fuzz.test", 1, 1, flags: 0x0100);
        socket.Send([(byte)(query.Length >> 8), (byte)query.Length, .. query]);
        var received = new List<byte>();
        var chunk = new byte[4096];
        while (received.Count < 2 || received.Count < 2 + ((received[0] << 8) | received[1]))
        {
            var n = socket.Receive(chunk);
            Assert.NotEqual(0, n);
            received.AddRange(chunk[..n]);
        }
        var answer = received.Skip(2).ToArray();
        Assert.Equal(id, BinaryPrimitives.ReadUInt16BigEndian(answer));
        return answer;
    }

    /// <summary>Asks for _gateway.fuzz.test A and checks the answer; returns how long it took.</summary>
    private static TimeSpan Probe(Socket socket, IPEndPoint server, ushort id)
    {
        var query = Query(id, "_gateway.fuzz.test", 1, 1, flags: 0x0100);
        var watch = Stopwatch.StartNew();
        socket.SendTo(query, server);
        var answer = new byte[512];
        while (true)
        {
            var length = socket.Receive(answer);
            if (length >= 12 && BinaryPrimitives.ReadUInt16BigEndian(answer) == id)
            {
                Assert.Equal(0, answer[3] & 0xF); // NOERROR
                Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(6))); // one answer
                Assert.Equal(new byte[] { 10, 231, 21, 1 }, answer.AsSpan(length - 4, 4).ToArray());
                return watch.Elapsed;
            }
        }
    }

    private static readonly string[] Names = ["_gateway.fuzz.test", "fuzz.test", "a", "x.y.z.example", "21.231.10.in-addr.arpa", ""];

    /// <summary>One datagram of the seeded fuzz: random bytes, mutated and cut queries, compression loops, odd flags, classes and types.</summary>
    private static byte[] FuzzQuery(Random random)
    {
        var valid = Query((ushort)random.Next(), Names[random.Next(Names.Length)], (ushort)random.Next(0, 300), (ushort)(random.Next(4) == 0 ? random.Next(256) : 1),
            flags: (ushort)random.Next(0x8000)); // never the response bit on a whole query: that one is only dropped
        switch (random.Next(6))
        {
            case 0:
                var bytes = new byte[random.Next(0, 600)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                for (var i = random.Next(1, 9); i > 0; i--) valid[random.Next(valid.Length)] = (byte)random.Next(256);
                return valid;
            case 2:
                return valid[..random.Next(0, valid.Length)];
            case 3:
                // A name that points at itself, then at its own header: decompression must stop.
                return [.. valid[..12].Select((b, i) => i is 4 or 5 ? (byte)(i == 5 ? 1 : 0) : b), 0xC0, 0x0C, 0, 1, 0, 1];
            case 4:
                // Counts that promise records that are not there.
                BinaryPrimitives.WriteUInt16BigEndian(valid.AsSpan(4 + 2 * random.Next(4)), (ushort)random.Next(1, 0x10000));
                return valid;
            default:
                var tail = new byte[random.Next(1, 64)];
                random.NextBytes(tail);
                return [.. valid, .. tail];
        }
    }

    private static byte[] Query(ushort id, string name, ushort type, ushort @class, ushort flags)
    {
        var message = new List<byte>();
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(header, id);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], flags);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], 1);
        message.AddRange(header.ToArray());
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            message.Add((byte)label.Length);
            message.AddRange(Encoding.ASCII.GetBytes(label));
        }
        message.Add(0);
        message.AddRange([(byte)(type >> 8), (byte)type, (byte)(@class >> 8), (byte)@class]);
        return [.. message];
    }
}
