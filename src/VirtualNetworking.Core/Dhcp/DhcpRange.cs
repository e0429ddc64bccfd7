using System.Net;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>An inclusive range of IPv4 addresses the server may hand out dynamically.</summary>
public readonly record struct DhcpRange(IPAddress Start, IPAddress End)
{
    internal uint First => Ipv4.ToUInt32(Start);
    internal uint Last => Ipv4.ToUInt32(End);
    internal long Size => (long)Last - First + 1;
}
