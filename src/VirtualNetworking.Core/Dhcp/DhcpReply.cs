using System.Net;
using System.Net.NetworkInformation;

namespace VirtualNetworking.Core.Dhcp;

/// <summary>Where a reply goes, per RFC 2131 §4.1.</summary>
public enum DhcpReplyRoute
{
    /// <summary>giaddr was set: unicast to the relay agent's port 67.</summary>
    Relay,
    /// <summary>The client has an address (ciaddr): ordinary unicast to port 68.</summary>
    ClientAddress,
    /// <summary>255.255.255.255:68 (broadcast flag, or a NAK without relay).</summary>
    Broadcast,
    /// <summary>
    /// Unicast to yiaddr:68 at the client's MAC. The client has no address yet and cannot answer ARP,
    /// so the host must address the Ethernet frame itself (raw socket or a static neighbour entry).
    /// </summary>
    ClientHardware,
}

public sealed record DhcpReplyDestination(DhcpReplyRoute Route, IPAddress Address, int Port, PhysicalAddress? HardwareAddress)
{
    public IPEndPoint EndPoint => new(Address, Port);
}

public sealed record DhcpReply(DhcpPacket Packet, DhcpReplyDestination Destination)
{
    public byte[] ToArray() => Packet.ToArray();
}

/// <summary>
/// What one request produced. The host writes <see cref="LeaseChanges"/> durably, then sends <see cref="Reply"/>
/// (RFC 2131 §4.3.2: a server must commit a binding before it ACKs it). <see cref="Summary"/> is for the log.
/// </summary>
public sealed record DhcpResult(DhcpReply? Reply, IReadOnlyList<DhcpLeaseChange> LeaseChanges, string Summary)
{
    internal static DhcpResult Silent(string summary, IReadOnlyList<DhcpLeaseChange>? changes = null) => new(null, changes ?? [], summary);
}
