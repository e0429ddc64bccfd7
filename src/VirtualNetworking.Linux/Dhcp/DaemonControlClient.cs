using System.Net.Sockets;
using System.Text;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Linux.Dhcp;

/// <summary>One request/response exchange on the daemon's control socket (docs/dhcp-daemon.md).</summary>
internal static class DaemonControlClient
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Null when no daemon answers: no socket file, refused (a dead daemon's file), or reset or closed without an
    /// answer (a daemon that is dying).
    /// </summary>
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
        try
        {
            return Exchange(socket, request);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            // A dying daemon (killed, or exiting idle) resets connections its listener still had queued.
            return null;
        }
    }

    private static List<DhcpControlMessage>? Exchange(Socket socket, DhcpControlMessage request)
    {
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
        return null;
    }

    /// <summary>The item lines of a successful answer; the daemon's error becomes a DhcpDaemonException.</summary>
    public static IReadOnlyList<DhcpControlMessage> Items(IReadOnlyList<DhcpControlMessage> answer, string what)
    {
        var final = answer[^1];
        if (final.Verb == DhcpControlMessage.Error)
            throw new DhcpDaemonException($"The daemon could not {what}: {final["message"]}", reason: final[DhcpControlMessage.ReasonKey])
            {
                DaemonMessage = final["message"] ?? "",
            };
        return answer;
    }
}
