using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Linux.Dns;

namespace VirtualNetworking.Linux.Tests.Dns;

/// <summary>
/// The socket side of Resolve-VNetworkName against tiny responders made by each test on 127.0.0.1 (loopback only: no
/// namespace needed, nothing leaves the host).
/// </summary>
public sealed class SocketDnsQueryClientTests
{
    private static readonly byte[] Query = DnsLookup.Query(new DnsQuestion(DnsName.Parse("web1"), DnsType.A), 0x1234);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private static byte[] Reply(ushort id, byte marker)
    {
        var reply = (byte[])Query.Clone();
        BinaryPrimitives.WriteUInt16BigEndian(reply, id);
        reply[2] |= 0x80; // QR: a response
        return [.. reply, marker];
    }

    [Fact]
    public async Task Udp_waits_past_a_stray_datagram_for_the_reply_to_its_own_id()
    {
        using var responder = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        responder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var answering = Task.Run(() =>
        {
            var buffer = new byte[512];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            var length = responder.ReceiveFrom(buffer, ref from);
            Assert.Equal(Query, buffer[..length]);
            responder.SendTo(Reply(0x9999, 1), from);   // another query's reply
            responder.SendTo(Query, from);              // a query, not a reply
            responder.SendTo(Reply(0x1234, 2), from);
        });

        var reply = new SocketDnsQueryClient().Exchange((IPEndPoint)responder.LocalEndPoint!, Query, DnsTransport.Udp, Timeout);

        await answering;
        Assert.Equal(Reply(0x1234, 2), reply);
    }

    [Fact]
    public void Udp_without_an_answer_gives_up_at_the_timeout()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var clock = Stopwatch.StartNew();

        var reply = new SocketDnsQueryClient().Exchange((IPEndPoint)silent.LocalEndPoint!, Query, DnsTransport.Udp, TimeSpan.FromMilliseconds(300));

        Assert.Null(reply);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData(DnsTransport.Udp)]
    [InlineData(DnsTransport.Tcp)]
    public void A_closed_port_is_no_answer_at_once(DnsTransport transport)
    {
        var closed = ClosedPort(transport);
        var clock = Stopwatch.StartNew();

        Assert.Null(new SocketDnsQueryClient().Exchange(closed, Query, transport, TimeSpan.FromSeconds(5)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"took {clock.Elapsed}: the refusal should end the wait");
    }

    [Fact]
    public async Task Tcp_frames_the_query_and_reads_a_reply_that_arrives_in_pieces()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var answering = Task.Run(async () =>
        {
            using var connection = await listener.AcceptAsync();
            var received = new List<byte>();
            var buffer = new byte[1024];
            while (!DnsTcpFraming.TryReadMessage(received.ToArray(), out _, out _))
                received.AddRange(buffer.AsSpan(0, await connection.ReceiveAsync(buffer)));
            DnsTcpFraming.TryReadMessage(received.ToArray(), out var message, out var consumed);
            Assert.Equal(Query, message.ToArray());
            Assert.Equal(received.Count, consumed);
            var framed = DnsTcpFraming.Frame(Reply(0x1234, 3));
            await connection.SendAsync(framed.AsMemory(0, 1));
            await Task.Delay(50);
            await connection.SendAsync(framed.AsMemory(1));
        });

        var reply = new SocketDnsQueryClient().Exchange((IPEndPoint)listener.LocalEndPoint!, Query, DnsTransport.Tcp, Timeout);

        await answering;
        Assert.Equal(Reply(0x1234, 3), reply);
    }

    [Fact]
    public async Task Tcp_closed_before_a_whole_message_is_no_answer()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var closing = Task.Run(async () =>
        {
            using var connection = await listener.AcceptAsync();
            await connection.SendAsync(new byte[] { 0, 40, 1, 2 });
            connection.Shutdown(SocketShutdown.Both);
        });

        Assert.Null(new SocketDnsQueryClient().Exchange((IPEndPoint)listener.LocalEndPoint!, Query, DnsTransport.Tcp, Timeout));
        await closing;
    }

    /// <summary>A loopback port nothing listens on: bound, noted, closed.</summary>
    private static IPEndPoint ClosedPort(DnsTransport transport)
    {
        using var socket = transport == DnsTransport.Udp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (IPEndPoint)socket.LocalEndPoint!;
    }
}
