using System.Net.Sockets;
using System.Runtime.InteropServices;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// One AF_PACKET/SOCK_DGRAM socket for the whole daemon, sending IPv4 datagrams to a MAC on any bridge (the
/// interface is named per datagram). Shared rather than one per network because closing a packet socket waits
/// for an RCU grace period (10–20 ms), which would make every network's release that slow.
/// Protocol 0: it only sends; it never receives a frame.
/// </summary>
internal sealed unsafe class LinkLayerSender : IDisposable
{
    public LinkLayerSender()
    {
        Fd = LibC.Socket(Native.AF_PACKET, Native.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (Fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    public int Fd { get; }

    public static Native.SockAddrLinkLayer Address(int interfaceIndex, ReadOnlySpan<byte> mac)
    {
        var address = new Native.SockAddrLinkLayer
        {
            Family = Native.AF_PACKET,
            Protocol = Native.HostToNetwork(Native.ETH_P_IP),
            InterfaceIndex = interfaceIndex,
            AddressLength = (byte)Math.Min(mac.Length, 8),
        };
        for (var i = 0; i < address.AddressLength; i++) address.Address[i] = mac[i];
        return address;
    }

    /// <summary>Sends one datagram at once: for one larger than a <see cref="DatagramQueue"/> slot.</summary>
    public void Send(int interfaceIndex, ReadOnlySpan<byte> mac, ReadOnlySpan<byte> datagram)
    {
        var address = Address(interfaceIndex, mac);
        fixed (byte* data = datagram)
        {
            if (Native.SendTo(Fd, data, (nuint)datagram.Length, 0, address, sizeof(Native.SockAddrLinkLayer)) < 0)
                throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    public void Dispose() => LibC.Close(Fd);
}
