using System.Net;
using System.Runtime.InteropServices;
using System.Text;

namespace VirtualNetworking.Linux.Netlink;

/// <summary>
/// Builds one netlink request: nlmsghdr, a fixed family header, then rtattrs (nested ones too),
/// each padded to 4 bytes as NLMSG_ALIGN/RTA_ALIGN require. Integers are host byte order.
/// </summary>
internal sealed class NetlinkMessageWriter
{
    private const int Alignment = 4;
    private const int AttributeHeaderSize = 4;

    private byte[] _buffer = new byte[256];
    private int _length;

    public NetlinkMessageWriter(ushort type, ushort flags)
    {
        // Every request that is not a dump asks for an acknowledgement, so success is confirmed, not assumed.
        var isDump = (flags & NetlinkFlags.Dump) == NetlinkFlags.Dump;
        Write(new NetlinkMessageHeader { Type = type, Flags = (ushort)(flags | NetlinkFlags.Request | (isDump ? 0 : NetlinkFlags.Ack)) });
    }

    /// <summary>Appends a fixed header struct (ifinfomsg, ifaddrmsg, rtmsg), padded.</summary>
    public NetlinkMessageWriter Write<T>(T value) where T : unmanaged
    {
        Append(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref value)));
        return this;
    }

    public NetlinkMessageWriter Attribute(ushort type, ReadOnlySpan<byte> value)
    {
        Span<byte> header = stackalloc byte[AttributeHeaderSize];
        MemoryMarshal.Write(header, checked((ushort)(AttributeHeaderSize + value.Length)));
        MemoryMarshal.Write(header[2..], type);
        Append(header);
        Append(value);
        return this;
    }

    public NetlinkMessageWriter Attribute(ushort type, byte value) => Attribute(type, [value]);

    public NetlinkMessageWriter Attribute(ushort type, uint value) =>
        Attribute(type, MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(ref value)));

    /// <summary>A NUL-terminated string, as IFLA_IFNAME and IFLA_INFO_KIND are.</summary>
    public NetlinkMessageWriter Attribute(ushort type, string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return Attribute(type, bytes);
    }

    /// <summary>An address in network byte order (4 bytes for IPv4, 16 for IPv6).</summary>
    public NetlinkMessageWriter Attribute(ushort type, IPAddress value) => Attribute(type, value.GetAddressBytes());

    /// <summary>Opens a nested attribute; its length is filled in by <see cref="EndNested"/>.</summary>
    public int BeginNested(ushort type)
    {
        var start = _length;
        Attribute(type, ReadOnlySpan<byte>.Empty);
        return start;
    }

    public NetlinkMessageWriter EndNested(int start)
    {
        MemoryMarshal.Write(_buffer.AsSpan(start), checked((ushort)(_length - start)));
        return this;
    }

    /// <summary>The finished message, with its length and sequence number set.</summary>
    public ReadOnlySpan<byte> ToMessage(uint sequence)
    {
        var header = MemoryMarshal.Read<NetlinkMessageHeader>(_buffer);
        header.Length = (uint)_length;
        header.Sequence = sequence;
        MemoryMarshal.Write(_buffer, in header);
        return _buffer.AsSpan(0, _length);
    }

    internal static int Align(int length) => (length + Alignment - 1) & ~(Alignment - 1);

    private void Append(ReadOnlySpan<byte> bytes)
    {
        var end = Align(_length + bytes.Length);
        if (end > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(end, _buffer.Length * 2));
        }
        bytes.CopyTo(_buffer.AsSpan(_length));
        _buffer.AsSpan(_length + bytes.Length, end - _length - bytes.Length).Clear();
        _length = end;
    }
}
