using System.Net;
using System.Net.Sockets;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Sends replies out of one bridge. Broadcast, relay and ciaddr replies go through the scope's UDP socket
/// (bound to the bridge). A reply to a client that has no address yet (ClientHardware) goes through a packet
/// socket straight to its MAC, as ISC dhcpd does: no neighbour entry is left behind, there is no race
/// between adding one and sending, and nothing depends on the client answering ARP.
/// Thread-safe: the serving thread and the lease committer both send.
/// </summary>
internal sealed class ReplySender(Socket udp, LinkLayerSender linkLayer, int interfaceIndex, IPAddress source)
{
    private const int ServerPort = 67;

    public void Send(DhcpReply reply)
    {
        var payload = reply.ToArray();
        var destination = reply.Destination;
        if (destination is { Route: DhcpReplyRoute.ClientHardware, HardwareAddress: { } mac })
            linkLayer.Send(interfaceIndex, mac.GetAddressBytes(), Ipv4UdpDatagram.Build(source, ServerPort, destination.Address, destination.Port, payload));
        else
            udp.SendTo(payload, destination.EndPoint);
    }
}
