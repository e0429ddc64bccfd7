using System.Net;

namespace VirtualNetworking.Core.Dns;

/// <summary>
/// Who asked: where an answer goes. <see cref="ConnectionId"/> is the host's number for a TCP connection (0 over UDP),
/// so that an answer that comes later (a forwarded query) finds its connection.
/// </summary>
public sealed record DnsClient(DnsTransport Transport, IPEndPoint EndPoint, long ConnectionId = 0);

public enum DnsAnswerSource
{
    /// <summary>The network's own records, or its NXDOMAIN/NODATA for a name kept local.</summary>
    Local,
    /// <summary>A forwarded answer still fresh in the cache.</summary>
    Cache,
    /// <summary>An upstream server's reply, relayed.</summary>
    Upstream,
    /// <summary>This server's own refusal or error: FORMERR, NOTIMP, BADVERS, REFUSED, or SERVFAIL when every upstream failed.</summary>
    Server,
}

/// <summary>What the host does next for one query or upstream reply: answer, forward, or nothing.</summary>
public abstract record DnsResult;

/// <summary>Send <see cref="Message"/> to <see cref="DnsClient"/> (over TCP with <see cref="DnsTcpFraming"/>).</summary>
public sealed record DnsAnswer(byte[] Message, DnsClient Client, DnsResponseCode ResponseCode, DnsAnswerSource Source, bool Truncated) : DnsResult;

/// <summary>
/// Send <see cref="Query"/> to <see cref="Upstream"/> over <see cref="Transport"/> (the client's: a TCP query is forwarded
/// over TCP), and pass the reply to <see cref="DnsServer.HandleUpstreamReply"/>. The query carries an id of ours;
/// <see cref="OriginalId"/> is the client's, which the answer gets back. <see cref="Upstreams"/> is the ordered list
/// the server fails over along; <see cref="Attempt"/> is the index of <see cref="Upstream"/> in it.
/// </summary>
public sealed record DnsForward(byte[] Query, IPEndPoint Upstream, DnsTransport Transport, DnsClient Client, ushort OriginalId,
    IReadOnlyList<IPEndPoint> Upstreams, int Attempt) : DnsResult;

/// <summary>Nothing to send; <see cref="Reason"/> is for the log.</summary>
public sealed record DnsDrop(string Reason) : DnsResult;
