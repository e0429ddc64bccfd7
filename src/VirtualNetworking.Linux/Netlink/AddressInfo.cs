using System.Net;

namespace VirtualNetworking.Linux.Netlink;

/// <summary>One address on a link, as RTM_GETADDR reports it (IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6).</summary>
/// <param name="HasBroadcast">Whether an IPv4 address carries a broadcast address (IFA_BROADCAST), as `ip addr add … brd +` gives it.</param>
public sealed record AddressInfo(int LinkIndex, IPAddress Address, int PrefixLength, RouteScope Scope, bool HasBroadcast = false);
