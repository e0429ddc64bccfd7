using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VirtualNetworking.Platform;

namespace VirtualNetworking.Daemon;

/// <summary>
/// Replies waiting to leave, written straight into reused slots: one queue per sending thread (the serving
/// loop's OFFERs and NAKs, the lease committer's ACKs), shared by every network. <see cref="Flush"/> sends
/// them with one sendmmsg per run of datagrams to the same socket, not one system call each.
/// </summary>
internal sealed unsafe class DatagramQueue
{
    /// <summary>The largest datagram a slot holds (a standard Ethernet MTU); a larger one is sent on its own.</summary>
    public const int SlotBytes = 1500;
    private const int Capacity = 32;

    private readonly byte[] _slots = GC.AllocateUninitializedArray<byte>(Capacity * SlotBytes, pinned: true);
    /// <summary>sockaddr_ll or sockaddr_in (the smaller), as the datagram's socket needs.</summary>
    private readonly Native.SockAddrLinkLayer[] _addresses = GC.AllocateArray<Native.SockAddrLinkLayer>(Capacity, pinned: true);
    private readonly int[] _addressLengths = new int[Capacity];
    private readonly int[] _fds = new int[Capacity];
    private readonly int[] _lengths = new int[Capacity];
    private int _count;

    /// <summary>Where the next datagram of <paramref name="length"/> (at most <see cref="SlotBytes"/>) is written before it is added.</summary>
    public Span<byte> Reserve(int length) => _slots.AsSpan(_count * SlotBytes, length);

    /// <summary>Queues the datagram written into <see cref="Reserve"/>'s span for a packet socket; sends the queue when full.</summary>
    public void Add(int fd, in Native.SockAddrLinkLayer address, int length) => Add(fd, address, sizeof(Native.SockAddrLinkLayer), length);

    /// <summary>Queues the datagram written into <see cref="Reserve"/>'s span for a UDP socket; sends the queue when full.</summary>
    public void Add(int fd, in Native.SockAddrIn address, int length)
    {
        var slot = default(Native.SockAddrLinkLayer);
        Unsafe.As<Native.SockAddrLinkLayer, Native.SockAddrIn>(ref slot) = address;
        Add(fd, slot, sizeof(Native.SockAddrIn), length);
    }

    /// <summary>
    /// Sends what is queued. A datagram the kernel refuses is skipped and the others still leave; afterwards
    /// the first refusal is thrown.
    /// </summary>
    public void Flush()
    {
        var count = _count;
        if (count == 0) return;
        _count = 0;
        var error = 0;
        var headers = stackalloc Native.MultiMessageHeader[count];
        var vectors = stackalloc Native.IoVector[count];
        fixed (byte* slots = _slots)
        fixed (Native.SockAddrLinkLayer* addresses = _addresses)
        {
            for (var i = 0; i < count; i++)
            {
                vectors[i] = new Native.IoVector { Base = slots + i * SlotBytes, Length = (nuint)_lengths[i] };
                headers[i] = new Native.MultiMessageHeader { Name = addresses + i, NameLength = _addressLengths[i], Vectors = vectors + i, VectorCount = 1 };
            }
            for (var start = 0; start < count;)
            {
                var end = start + 1;
                while (end < count && _fds[end] == _fds[start]) end++;
                while (start < end)
                {
                    var sent = Native.SendMultiple(_fds[start], headers + start, (uint)(end - start), 0);
                    if (sent >= 0) { start += sent; continue; }
                    var e = Marshal.GetLastPInvokeError();
                    if (e == LibC.EINTR) continue;
                    if (error == 0) error = e;
                    start++; // the datagram at `start` was refused
                }
            }
        }
        if (error != 0) throw new SocketException(error);
    }

    private void Add(int fd, in Native.SockAddrLinkLayer address, int addressLength, int length)
    {
        var i = _count;
        _fds[i] = fd;
        _addresses[i] = address;
        _addressLengths[i] = addressLength;
        _lengths[i] = length;
        _count = i + 1;
        if (_count == Capacity) Flush();
    }
}
