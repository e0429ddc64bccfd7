using System.Net;
using VirtualNetworking.Core.Dns;

namespace VirtualNetworking.Core.Ports;

/// <summary>Sends one DNS query to a server the way a guest's resolver does (Resolve-VNetworkName).</summary>
public interface IDnsQueryClient
{
    /// <summary>
    /// Sends <paramref name="query"/> to <paramref name="server"/> and returns the reply: over UDP, the first datagram from
    /// the server whose id is the query's; over TCP, the first framed message. Null when none came within
    /// <paramref name="timeout"/> or the server refused the connection (nothing listens there).
    /// </summary>
    byte[]? Exchange(IPEndPoint server, byte[] query, DnsTransport transport, TimeSpan timeout);
}
