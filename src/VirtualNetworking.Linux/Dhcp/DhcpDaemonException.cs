namespace VirtualNetworking.Linux.Dhcp;

/// <summary>The DHCP daemon could not be reached, started, trusted or could not do what was asked.</summary>
public sealed class DhcpDaemonException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Who answered on the control socket.</summary>
/// <param name="NetworkNamespaceInode">Inode of the daemon's network namespace (as in /proc/PID/ns/net).</param>
public sealed record DhcpDaemonInfo(int ProcessId, ulong NetworkNamespaceInode);

/// <summary>One served network as the daemon reports it.</summary>
public sealed record DhcpNetworkStatus(string Name, string Bridge, int InterfaceIndex, Core.Dhcp.DhcpStatistics Statistics);
