using System.Net.Sockets;
using System.Runtime.InteropServices;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Receives one network's DHCP requests through an AF_PACKET socket bound to the bridge, as ISC dhcpd does:
/// it sees them before netfilter, so a foreign default-drop input chain does not starve the guests. A classic
/// BPF filter lets only unfragmented IPv4/UDP to port 67 reach the socket; frames the bridge only saw in
/// promiscuous mode (tcpdump) and our own outgoing frames are ignored.
/// </summary>
internal sealed unsafe class PacketReceiver : IDisposable
{
    /// <summary>Offsets are from the IP header (SOCK_DGRAM). Jumps count instructions skipped.</summary>
    private static readonly Native.SocketFilter[] DhcpServerPort =
    [
        new(0x30, 0, 0, 9),          // 0: A = IP protocol
        new(0x15, 0, 6, 17),         // 1: UDP? else drop
        new(0x28, 0, 0, 6),          // 2: A = flags and fragment offset
        new(0x45, 4, 0, 0x3fff),     // 3: more fragments or an offset: drop
        new(0xb1, 0, 0, 0),          // 4: X = IP header length
        new(0x48, 0, 0, 2),          // 5: A = UDP destination port
        new(0x15, 0, 1, 67),         // 6: port 67? else drop
        new(Native.BPF_RET_K, 0, 0, 0xffff), // 7: accept the whole packet
        new(Native.BPF_RET_K, 0, 0, 0),      // 8: drop
    ];

    public PacketReceiver(int interfaceIndex, int receiveBufferBytes)
    {
        // Protocol 0 until bind: the socket receives nothing before its filter is attached and it is bound to the bridge.
        Fd = LibC.Socket(Native.AF_PACKET, Native.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (Fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
        try
        {
            Native.AttachFilter(Fd, DhcpServerPort);
            var one = 1;
            // A relay reply to giaddr:67 leaves through this bridge; it is ours, not a request.
            Check(LibC.SetSockOpt(Fd, Native.SOL_PACKET, Native.PACKET_IGNORE_OUTGOING, &one, sizeof(int)));
            // SO_RCVBUFFORCE (CAP_NET_ADMIN) may exceed net.core.rmem_max; without it, SO_RCVBUF up to that cap.
            if (LibC.SetSockOpt(Fd, Native.SOL_SOCKET, Native.SO_RCVBUFFORCE, &receiveBufferBytes, sizeof(int)) < 0)
                Check(LibC.SetSockOpt(Fd, Native.SOL_SOCKET, Native.SO_RCVBUF, &receiveBufferBytes, sizeof(int)));
            var address = new Native.SockAddrLinkLayer
            {
                Family = Native.AF_PACKET,
                Protocol = Native.HostToNetwork(Native.ETH_P_IP),
                InterfaceIndex = interfaceIndex,
            };
            Check(LibC.Bind(Fd, &address, sizeof(Native.SockAddrLinkLayer)));
        }
        catch
        {
            LibC.Close(Fd);
            throw;
        }
    }

    public int Fd { get; }

    /// <summary>
    /// Takes the packets waiting, up to the batch's capacity, in one recvmmsg (never blocks): the count taken,
    /// 0 when none is waiting. A frame not addressed to this host (seen only because the bridge is promiscuous)
    /// is taken with length 0.
    /// </summary>
    public int Receive(PacketBatch batch)
    {
        var count = batch.ReceiveFrom(Fd);
        if (count >= 0) return count;
        var error = Marshal.GetLastPInvokeError();
        if (error is Native.EAGAIN or LibC.EINTR) return 0;
        throw new SocketException(error);
    }

    /// <summary>
    /// Closing a bound packet socket waits for an RCU grace period (13 ms measured), so it is closed on a pool
    /// thread: a network's release stays fast. Nothing reads it any more, so nothing is answered meanwhile.
    /// </summary>
    public void Dispose() => ThreadPool.UnsafeQueueUserWorkItem(static fd => LibC.Close(fd), Fd, preferLocal: false);

    private static void Check(int result)
    {
        if (result < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }
}

/// <summary>
/// Buffers for <see cref="PacketReceiver.Receive"/>: one set for the serving thread, shared by every network it
/// serves (they are read one at a time), so the memory does not grow with the networks.
/// </summary>
internal sealed unsafe class PacketBatch
{
    public const int Capacity = 32;
    /// <summary>A standard Ethernet MTU: a longer request is cut short and then fails to parse, as before.</summary>
    private const int SlotBytes = 1500;

    private readonly byte[] _data = GC.AllocateUninitializedArray<byte>(Capacity * SlotBytes, pinned: true);
    private readonly Native.SockAddrLinkLayer[] _from = GC.AllocateArray<Native.SockAddrLinkLayer>(Capacity, pinned: true);
    private readonly Native.IoVector[] _vectors = GC.AllocateArray<Native.IoVector>(Capacity, pinned: true);
    private readonly Native.MultiMessageHeader[] _headers = GC.AllocateArray<Native.MultiMessageHeader>(Capacity, pinned: true);
    private readonly int[] _lengths = new int[Capacity];

    public PacketBatch()
    {
        fixed (byte* data = _data)
        fixed (Native.SockAddrLinkLayer* from = _from)
        fixed (Native.IoVector* vectors = _vectors)
        {
            for (var i = 0; i < Capacity; i++)
            {
                vectors[i] = new Native.IoVector { Base = data + i * SlotBytes, Length = SlotBytes };
                _headers[i] = new Native.MultiMessageHeader { Name = from + i, Vectors = vectors + i, VectorCount = 1 };
            }
        }
    }

    /// <summary>Packet <paramref name="index"/> of the last receive; empty for a frame not addressed to this host.</summary>
    public ReadOnlySpan<byte> this[int index] => _data.AsSpan(index * SlotBytes, _lengths[index]);

    /// <summary>recvmmsg: the count received, or -1 with errno set.</summary>
    internal int ReceiveFrom(int fd)
    {
        fixed (Native.MultiMessageHeader* headers = _headers)
        {
            for (var i = 0; i < Capacity; i++) headers[i].NameLength = sizeof(Native.SockAddrLinkLayer); // in and out
            var count = Native.ReceiveMultiple(fd, headers, Capacity, Native.MSG_DONTWAIT, null);
            for (var i = 0; i < count; i++)
                _lengths[i] = _from[i].PacketType is Native.PACKET_HOST or Native.PACKET_BROADCAST ? (int)Math.Min(headers[i].Length, SlotBytes) : 0;
            return count;
        }
    }
}
