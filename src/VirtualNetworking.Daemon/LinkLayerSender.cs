using System.Net.Sockets;
using System.Runtime.InteropServices;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// One AF_PACKET/SOCK_DGRAM socket for the whole daemon, sending IPv4 datagrams to a MAC on any bridge (the
/// interface is named per frame). Shared rather than one per network because closing a packet socket waits
/// for an RCU grace period (10–20 ms), which would make every network's release that slow.
/// Frames are queued per sending thread (the serving loop's OFFERs, the lease committer's ACKs) and leave
/// together in one sendmmsg at <see cref="Flush"/>: one system call for a burst of replies, not one each.
/// Protocol 0: it only sends; it never receives a frame.
/// </summary>
internal sealed unsafe class LinkLayerSender : IDisposable
{
    /// <summary>The largest datagram a queued frame holds (a standard Ethernet MTU); a larger one leaves on its own (<see cref="Send"/>).</summary>
    public const int SlotBytes = 1500;
    private const int Capacity = 32;

    private readonly int _fd;
    private readonly ThreadLocal<FrameQueue> _queues = new(() => new FrameQueue());

    public LinkLayerSender()
    {
        _fd = LibC.Socket(Native.AF_PACKET, Native.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (_fd < 0) throw new SocketException(Marshal.GetLastPInvokeError());
    }

    /// <summary>Where the calling thread writes its next datagram of <paramref name="length"/> (at most <see cref="SlotBytes"/>) before <see cref="Queue"/>.</summary>
    public Span<byte> Reserve(int length)
    {
        var queue = _queues.Value!;
        return queue.Frames.AsSpan(queue.Count * SlotBytes, length);
    }

    /// <summary>Queues the datagram just written into <see cref="Reserve"/>'s span; sends the queue when it is full.</summary>
    public void Queue(int interfaceIndex, ReadOnlySpan<byte> mac, int length)
    {
        var queue = _queues.Value!;
        var i = queue.Count;
        queue.Addresses[i] = Address(interfaceIndex, mac);
        queue.Lengths[i] = length;
        queue.Count = i + 1;
        if (queue.Count == Capacity) Flush();
    }

    /// <summary>
    /// Sends what the calling thread queued. A frame the kernel refuses is skipped and the others still leave;
    /// afterwards the first refusal is thrown.
    /// </summary>
    public void Flush()
    {
        var queue = _queues.Value!;
        var count = queue.Count;
        if (count == 0) return;
        queue.Count = 0;
        var error = 0;
        var headers = stackalloc Native.MultiMessageHeader[count];
        var vectors = stackalloc Native.IoVector[count];
        fixed (byte* frames = queue.Frames)
        fixed (Native.SockAddrLinkLayer* addresses = queue.Addresses)
        {
            for (var i = 0; i < count; i++)
            {
                vectors[i] = new Native.IoVector { Base = frames + i * SlotBytes, Length = (nuint)queue.Lengths[i] };
                headers[i] = new Native.MultiMessageHeader
                {
                    Name = addresses + i, NameLength = sizeof(Native.SockAddrLinkLayer), Vectors = vectors + i, VectorCount = 1,
                };
            }
            for (var sent = 0; sent < count;)
            {
                var n = Native.SendMultiple(_fd, headers + sent, (uint)(count - sent), 0);
                if (n >= 0) { sent += n; continue; }
                var e = Marshal.GetLastPInvokeError();
                if (e == LibC.EINTR) continue;
                if (error == 0) error = e;
                sent++; // the frame at `sent` was refused
            }
        }
        if (error != 0) throw new SocketException(error);
    }

    /// <summary>Sends one datagram at once, bypassing the queue: for a datagram larger than <see cref="SlotBytes"/>.</summary>
    public void Send(int interfaceIndex, ReadOnlySpan<byte> mac, ReadOnlySpan<byte> datagram)
    {
        var address = Address(interfaceIndex, mac);
        fixed (byte* data = datagram)
        {
            if (Native.SendTo(_fd, data, (nuint)datagram.Length, 0, address, sizeof(Native.SockAddrLinkLayer)) < 0)
                throw new SocketException(Marshal.GetLastPInvokeError());
        }
    }

    public void Dispose()
    {
        LibC.Close(_fd);
        _queues.Dispose();
    }

    private static Native.SockAddrLinkLayer Address(int interfaceIndex, ReadOnlySpan<byte> mac)
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

    /// <summary>One thread's frames waiting for <see cref="Flush"/>.</summary>
    private sealed class FrameQueue
    {
        public readonly byte[] Frames = GC.AllocateUninitializedArray<byte>(Capacity * SlotBytes);
        public readonly Native.SockAddrLinkLayer[] Addresses = new Native.SockAddrLinkLayer[Capacity];
        public readonly int[] Lengths = new int[Capacity];
        public int Count;
    }
}
