using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Linux.Dhcp;

/// <summary>One request/response exchange on the daemon's control socket (docs/dhcp-daemon.md).</summary>
internal static class DaemonControlClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Null when nothing listens on the socket (no file, refused: no daemon, or a dead one's file).</summary>
    public static IReadOnlyList<DhcpControlMessage>? TryExchange(string socketPath, DhcpControlMessage request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.ReceiveTimeout = socket.SendTimeout = (int)Timeout.TotalMilliseconds;
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable
                                         || e.NativeErrorCode == 2 /* ENOENT */)
        {
            return null;
        }
        using var stream = new NetworkStream(socket);
        stream.Write(Encoding.UTF8.GetBytes(request.Format()));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = new List<DhcpControlMessage>();
        while (reader.ReadLine() is { } line)
        {
            var message = DhcpControlMessage.Parse(line);
            lines.Add(message);
            if (message.IsFinal) return lines;
        }
        throw new DhcpDaemonException($"The DHCP daemon closed {socketPath} without answering '{request.Verb}'.");
    }

    /// <summary>The item lines of a successful answer; the daemon's error becomes a DhcpDaemonException.</summary>
    public static IReadOnlyList<DhcpControlMessage> Items(IReadOnlyList<DhcpControlMessage> answer, string what)
    {
        var final = answer[^1];
        if (final.Verb == DhcpControlMessage.Error)
            throw new DhcpDaemonException($"The DHCP daemon could not {what}: {final["message"]}");
        return answer;
    }
}
