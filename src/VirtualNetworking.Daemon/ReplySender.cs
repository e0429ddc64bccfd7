using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using VirtualNetworking.Core.Dhcp;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Sends replies out of one bridge. A reply to a client that has no address yet (ClientHardware) goes through
/// the packet socket straight to its MAC, as ISC dhcpd does: no neighbour entry is left behind, there is no race
/// between adding one and sending, and nothing depends on the client answering ARP. A broadcast reply goes
/// there too, to ff:ff:ff:ff:ff:ff: the host's IP stack would only route it, loop a copy back to itself and
/// flood the same frame. Relay and ciaddr replies, which need routing and ARP, go through the scope's UDP
/// socket (bound to the bridge). Replies are queued in the calling thread's <see cref="DatagramQueue"/> until
/// <see cref="Flush"/>; the serving thread and the lease committer both send, each flushing what it queued.
/// </summary>
internal sealed unsafe class ReplySender(Socket udp, LinkLayerSender linkLayer, int interfaceIndex, IPAddress source)
{
    private const int ServerPort = 67;
    private static readonly byte[] BroadcastMac = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
    private static readonly ThreadLocal<DatagramQueue> Queues = new(() => new DatagramQueue());

    public void Send(DhcpReply reply)
    {
        var packet = reply.Packet;
        var destination = reply.Destination;
        var length = Ipv4UdpDatagram.HeaderLength + packet.SerializedLength;
        ReadOnlySpan<byte> mac = destination switch
        {
            { Route: DhcpReplyRoute.ClientHardware, HardwareAddress: { } hardware } => hardware.GetAddressBytes(),
            // Too big for one Ethernet frame: the UDP socket lets the kernel fragment it.
            { Route: DhcpReplyRoute.Broadcast } when length <= DatagramQueue.SlotBytes => BroadcastMac,
            _ => default,
        };
        if (mac.IsEmpty)
        {
            SendUdp(packet, destination);
            return;
        }
        if (length > DatagramQueue.SlotBytes)
        {
            var datagram = new byte[length];
            Frame(datagram, packet, destination);
            linkLayer.Send(interfaceIndex, mac, datagram);
            return;
        }
        var queue = Queues.Value!;
        Frame(queue.Reserve(length), packet, destination);
        queue.Add(linkLayer.Fd, LinkLayerSender.Address(interfaceIndex, mac), length);
    }

    /// <summary>Sends the replies the calling thread queued (for every network: the queue is the thread's).</summary>
    public static void Flush() => Queues.Value!.Flush();

    private void Frame(Span<byte> datagram, DhcpPacket packet, DhcpReplyDestination destination)
    {
        packet.WriteTo(datagram[Ipv4UdpDatagram.HeaderLength..]);
        Ipv4UdpDatagram.WriteHeaders(datagram, source, ServerPort, destination.Address, destination.Port);
    }

    private void SendUdp(DhcpPacket packet, DhcpReplyDestination destination)
    {
        var length = packet.SerializedLength;
        var address = new Native.SockAddrIn { Family = Native.AF_INET, Port = Native.HostToNetwork((ushort)destination.Port) };
        destination.Address.TryWriteBytes(new Span<byte>(&address.Address, sizeof(uint)), out _);
        if (length <= DatagramQueue.SlotBytes)
        {
            var queue = Queues.Value!;
            packet.WriteTo(queue.Reserve(length));
            queue.Add((int)udp.Handle, address, length);
            return;
        }
        var payload = new byte[length];
        packet.WriteTo(payload);
        fixed (byte* data = payload)
        {
            if (Native.SendTo((int)udp.Handle, data, (nuint)length, 0, address, sizeof(Native.SockAddrIn)) < 0)
                throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }
}
