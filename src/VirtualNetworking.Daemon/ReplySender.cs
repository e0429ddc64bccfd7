using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Sends replies out of one bridge. Broadcast, relay and ciaddr replies go through the scope's UDP socket
/// (bound to the bridge). A reply to a client that has no address yet (ClientHardware) goes through a packet
/// socket straight to its MAC, as ISC dhcpd does: no neighbour entry is left behind, there is no race
/// between adding one and sending, and nothing depends on the client answering ARP.
/// </summary>
internal sealed class ReplySender : IDisposable
{
    private const int ServerPort = 67;
    private readonly Socket _udp;
    private readonly int _interfaceIndex;
    private readonly IPAddress _source;
    private readonly int _packetSocket;

    public ReplySender(Socket udp, int interfaceIndex, IPAddress source)
    {
        _udp = udp;
        _interfaceIndex = interfaceIndex;
        _source = source;
        // Protocol 0: this socket only sends; it never receives a frame.
        _packetSocket = Native.Socket(Native.AF_PACKET, Native.SOCK_DGRAM | Native.SOCK_CLOEXEC, 0);
        if (_packetSocket < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    public void Send(DhcpReply reply)
    {
        var payload = reply.ToArray();
        var destination = reply.Destination;
        if (destination is { Route: DhcpReplyRoute.ClientHardware, HardwareAddress: { } mac })
            SendToHardware(Ipv4UdpDatagram.Build(_source, ServerPort, destination.Address, destination.Port, payload), mac.GetAddressBytes());
        else
            _udp.SendTo(payload, destination.EndPoint);
    }

    private unsafe void SendToHardware(byte[] datagram, byte[] mac)
    {
        var address = new Native.SockAddrLinkLayer
        {
            Family = Native.AF_PACKET,
            Protocol = Native.HostToNetwork(Native.ETH_P_IP),
            InterfaceIndex = _interfaceIndex,
            AddressLength = (byte)mac.Length,
        };
        for (var i = 0; i < mac.Length && i < 8; i++) address.Address[i] = mac[i];
        fixed (byte* data = datagram)
        {
            if (Native.SendTo(_packetSocket, data, (nuint)datagram.Length, 0, address, sizeof(Native.SockAddrLinkLayer)) < 0)
                throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    public void Dispose() => Native.Close(_packetSocket);
}
