namespace VirtualNetworking.Core.Dhcp;

/// <summary>
/// How a datagram arrived. A REQUEST carrying only ciaddr is RENEWING when unicast to us and REBINDING
/// when broadcast (RFC 2131 §4.3.2); both are answered the same way, the difference shows in the summary.
/// </summary>
public sealed record DhcpReceiveInfo(string InterfaceName, bool ArrivedAsBroadcast);
