using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using VirtualNetworking.Core.Dns;
using VirtualNetworking.Core.Ports;

namespace VirtualNetworking.Linux.Dns;

/// <summary>
/// One query, one reply, over a socket of its own: UDP connected to the server (so only its datagrams arrive, and an
/// ICMP port-unreachable ends the wait at once), or TCP with RFC 7766's two-octet length framing. One deadline covers
/// connecting, sending and receiving.
/// </summary>
public sealed class SocketDnsQueryClient : IDnsQueryClient
{
    public byte[]? Exchange(IPEndPoint server, byte[] query, DnsTransport transport, TimeSpan timeout)
    {
        if (!DnsHeader.TryRead(query, out var header)) throw new ArgumentException("The query has no DNS header.", nameof(query));
        var deadline = Stopwatch.StartNew();
        TimeSpan Left() => timeout - deadline.Elapsed;
        try
        {
            return transport == DnsTransport.Udp ? OverUdp(server, query, header.Id, Left) : OverTcp(server, query, Left);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.TimedOut or SocketError.ConnectionReset)
        {
            return null;
        }
    }

    private static byte[]? OverUdp(IPEndPoint server, byte[] query, ushort id, Func<TimeSpan> left)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Connect(server);
        socket.Send(query);
        var buffer = new byte[DnsMessage.MaxLength];
        while (left() is var wait && wait > TimeSpan.Zero && socket.Poll(wait, SelectMode.SelectRead))
        {
            var length = socket.Receive(buffer);
            // A late reply to an earlier query of the same port would carry another id: wait on for ours.
            if (DnsHeader.TryRead(buffer.AsSpan(0, length), out var reply) && reply.Id == id && reply.IsResponse) return buffer[..length];
        }
        return null;
    }

    private static byte[]? OverTcp(IPEndPoint server, byte[] query, Func<TimeSpan> left)
    {
        using var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using (var connecting = new CancellationTokenSource(Positive(left())))
        {
            try { socket.ConnectAsync(server, connecting.Token).AsTask().GetAwaiter().GetResult(); }
            catch (OperationCanceledException) { return null; }
        }
        socket.Send(DnsTcpFraming.Frame(query));
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (left() is var wait && wait > TimeSpan.Zero && socket.Poll(wait, SelectMode.SelectRead))
        {
            var length = socket.Receive(buffer);
            if (length == 0) return null; // closed before a whole message came
            received.AddRange(buffer.AsSpan(0, length));
            if (DnsTcpFraming.TryReadMessage(received.ToArray(), out var message, out _)) return message.ToArray();
        }
        return null;
    }

    private static TimeSpan Positive(TimeSpan span) => span > TimeSpan.Zero ? span : TimeSpan.FromMilliseconds(1);
}
