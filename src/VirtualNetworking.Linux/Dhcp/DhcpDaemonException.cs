using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Linux.Dhcp;

/// <summary>The daemon could not be reached, started, trusted or could not do what was asked.</summary>
/// <param name="reason">The daemon's reason field (DhcpControlMessage.ReasonKey) when it gave one.</param>
public sealed class DhcpDaemonException(string message, Exception? inner = null, string? reason = null) : Exception(message, inner)
{
    /// <summary>What failed, when the daemon said (<see cref="DhcpControlMessage.DnsPortInUseReason"/>); null otherwise.</summary>
    public string? Reason { get; } = reason;
    /// <summary>The daemon's own words, without this client's framing; the message when the daemon gave none.</summary>
    public string DaemonMessage { get; init; } = message;
}

/// <summary>Who answered on the control socket.</summary>
/// <param name="NetworkNamespaceInode">Inode of the daemon's network namespace (as in /proc/PID/ns/net).</param>
public sealed record DhcpDaemonInfo(int ProcessId, ulong NetworkNamespaceInode);

/// <summary>
/// One served network as the daemon reports it: DHCP counters when it serves DHCP, DNS counters when it serves DNS, and so on
/// for router advertisements and DHCPv6.
/// </summary>
public sealed record DhcpNetworkStatus(string Name, string Bridge, int InterfaceIndex, Core.Dhcp.DhcpStatistics? Statistics, DnsServingStatistics? Dns,
    RouterAdvertisementStatistics? RouterAdvertisements = null, Dhcp6ServingStatistics? Dhcp6 = null);

/// <summary>A network's DHCPv6 counters since the daemon began serving it, and its bound and declined leases now.</summary>
public sealed record Dhcp6ServingStatistics(long Received, long Replies, long Dropped, int ActiveLeases);

/// <summary>A network's router advertisement counters since the daemon began sending them.</summary>
public sealed record RouterAdvertisementStatistics(long Sent, long Solicitations);

/// <summary>A network's DNS counters since the daemon began serving it (or since its last definition change).</summary>
public sealed record DnsServingStatistics(long Queries, long AnsweredLocally, long Forwarded, long NxDomain, long Refused, long Malformed, long Dropped);
