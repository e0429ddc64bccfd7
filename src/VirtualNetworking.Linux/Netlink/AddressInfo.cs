using System.Net;

namespace VirtualNetworking.Linux.Netlink;

/// <summary>One address on a link, as RTM_GETADDR reports it (IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6).</summary>
public sealed record AddressInfo(int LinkIndex, IPAddress Address, int PrefixLength, RouteScope Scope);
